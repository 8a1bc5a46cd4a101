#!/usr/bin/env python3
"""Seeds the benchmark's battlecards over HTTP and prints their ids.

usage: seed_cards.py BASE_URL COOKIE

Creates one competitor with two published cards:
  * "rep"  — a realistic card with 20 objections (the rep-view case),
  * "long" — a card long enough to fill 30+ PDF pages (the export case).
Prints three lines: `competitor <id>`, `rep <id>` and `long <id>`. Exits non-zero with a
message on failure.
"""
import json
import sys
import urllib.parse
import urllib.request

BASE, COOKIE = sys.argv[1], sys.argv[2]


def call(path, fields=None, body=None):
    headers = {"Cookie": COOKIE, "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    else:
        data = urllib.parse.urlencode(fields or {}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(BASE + "/api/" + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit(f"seed: POST /api/{path} answered {e.code}: {e.read()[:300]!r}")


PARAGRAPH = (
    "Acme's platform is strong in **enterprise reporting** and has a large partner network, "
    "but customers report slow implementations (often *six months or more*), add-on pricing for "
    "basic features and support that answers in days, not hours. See [their pricing page](https://example.com/pricing)."
)


def objections(count, answer_paragraphs):
    return [
        {
            "id": "",
            "objection": f"Objection {i + 1}: Acme already does this and we have a contract with them",
            "answer": "\n\n".join(
                [f"Answer {i + 1}. " + PARAGRAPH]
                + [f"- Point {j + 1}: " + PARAGRAPH for j in range(answer_paragraphs - 1)]
            ),
        }
        for i in range(count)
    ]


def content(title, section_paragraphs, objection_list):
    section = "\n\n".join([PARAGRAPH] * section_paragraphs)
    return {
        "title": title,
        "summary": "Win on time-to-value and total cost; never on feature count.",
        "overview": section,
        "strengths": section,
        "weaknesses": section,
        "why_we_win": section,
        "pricing": section,
        "landmines": section,
        "proof_points": section,
        "resources": "- [Analyst report](https://example.com/report)\n- [Case study](https://example.com/case)",
        "objections": objection_list,
    }


def published_card(competitor_id, title, body):
    card_id = call("cards/create", {"competitor_id": competitor_id, "title": title})
    saved = call("cards/save", body={"id": card_id, "base_version": 1, "content": body, "note": "bench"})
    version = saved.get("Saved", {}).get("version")
    if not version:
        sys.exit(f"seed: saving {title!r} did not save: {saved!r}")
    call("cards/status", body={"id": card_id, "status": "published", "version": version})
    return card_id


competitor = call(
    "competitors/create",
    {"name": "Acme Bench", "website": "acme.example", "description": PARAGRAPH, "tags": "enterprise", "keywords": "acme"},
)
rep = published_card(competitor["id"], "Acme — mid-market", content("Acme — mid-market", 2, objections(20, 2)))
long = published_card(competitor["id"], "Acme — everything", content("Acme — everything", 12, objections(60, 5)))
print("competitor", competitor["id"])
print("rep", rep)
print("long", long)
