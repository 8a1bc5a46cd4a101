//! Input a browser would never send — broken JSON, numbers out of range, invalid
//! UTF-8, bodies over the limit, text longer than any field takes — is the caller's
//! mistake: a 4xx in the standard error shape, with the request id, never a 500, and
//! nothing is stored.
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::backend_test;
use crate::common::cards::{self, full_content, new_card, new_competitor, SECTIONS};
use crate::common::{field_error, Backend, Browser, TestApp, PASSWORD};

/// A POST with exactly these bytes: (status, body, the response's x-request-id).
async fn post_bytes(
    who: &Browser,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value, String) {
    let res = who
        .client
        .post(format!("{}{path}", who.base))
        .header("accept", "application/json")
        .header("origin", &who.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST");
    let status = res.status().as_u16();
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body, request_id)
}

/// Asserts a refusal in the standard shape: status, code, a message saying `says`,
/// and the request id the response header carries.
#[track_caller]
fn assert_refused(answer: &(u16, Value, String), status: u16, code: &str, says: &str) {
    let (got, body, request_id) = answer;
    assert_eq!(
        (*got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(says),
        "message {message:?} should say {says:?}"
    );
    assert_eq!(body["error"]["request_id"], request_id.as_str(), "{body}");
}

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

async fn malformed_bodies_are_bad_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let acme = new_competitor(&admin, "Acme").await;
    let card = new_card(&admin, &acme, "Acme card").await;
    let start = format!(r#"{{"id":"{card}","base_version":"#);
    let content = json!(full_content("Acme card")).to_string();

    let mut invalid_utf8 = format!(r#"{{"id":"{card}","base_version":1,"note":"caf"#).into_bytes();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe]);
    invalid_utf8.extend_from_slice(format!(r#"","content":{content}}}"#).as_bytes());
    let json_cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "truncated",
            format!(r#"{start}1,"content":{{"title":"Ac"#).into_bytes(),
        ),
        (
            "100,000 deep",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        ),
        (
            "100,000 deep content",
            format!(
                r#"{start}1,"note":"","content":{}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
        ),
        (
            "2^63",
            format!(r#"{start}9223372036854775808,"note":"","content":{content}}}"#).into_bytes(),
        ),
        (
            "1e308",
            format!(r#"{start}1e308,"note":"","content":{content}}}"#).into_bytes(),
        ),
        ("invalid UTF-8", invalid_utf8),
    ];
    for (case, body) in json_cases {
        let answer = post_bytes(&admin, "/api/cards/save", JSON, body).await;
        assert!(answer.0 == 400, "{case}: {}", answer.1);
        assert_refused(&answer, 400, "bad_request", "malformed");
    }
    let status = format!(r#"{{"id":"{card}","status":"published","version":9223372036854775808}}"#);
    let answer = post_bytes(&admin, "/api/cards/status", JSON, status.into_bytes()).await;
    assert_refused(&answer, 400, "bad_request", "malformed");
    assert_eq!(
        cards::editor(&admin, &card).await["version"],
        1,
        "nothing was saved"
    );

    // Form bodies: raw invalid UTF-8, numbers that do not fit.
    let mut raw = b"email=ann%40example.com&password=".to_vec();
    raw.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    let form_cases: Vec<(&str, Vec<u8>)> = vec![
        ("/api/auth/login", raw),
        (
            "/api/admin/users",
            b"query=&page=4294967296".to_vec(), // u32::MAX + 1
        ),
        (
            "/api/cards/diff",
            format!("id={card}&from=1e308&to=1").into_bytes(),
        ),
    ];
    for (path, body) in form_cases {
        let answer = post_bytes(&admin, path, FORM, body).await;
        assert!(
            (400..500).contains(&answer.0),
            "{path}: {} {}",
            answer.0,
            answer.1
        );
        assert_refused(&answer, 400, "bad_request", "malformed");
    }
    // Percent-encoded invalid UTF-8 is read with replacement characters, which no
    // field takes.
    let answer = post_bytes(
        &admin,
        "/api/auth/login",
        FORM,
        b"email=%FF%FE&password=x".to_vec(),
    )
    .await;
    assert_refused(&answer, 422, "validation", "attention");
    assert!(field_error(&answer.1, "email").is_some(), "{}", answer.1);

    // The largest page number there is: an empty page, not an overflow.
    let (status, list) = admin
        .call(
            "/api/competitors/list",
            &[
                ("q", ""),
                ("tag", ""),
                ("sort", "name"),
                ("archived", "false"),
                ("page", "4294967295"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["page"]["items"], json!([]));
}
backend_test!(malformed_bodies_are_bad_requests);

/// Sends a sign-in form of `size` bytes in chunks without a Content-Length (as a
/// stream upload does) and returns (status, body, x-request-id).
async fn post_chunked(app: &TestApp, path: &str, size: usize) -> (u16, Value, String) {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\
         Content-Type: {FORM}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr
    );
    let writing = async {
        stream.write_all(head.as_bytes()).await?;
        let form = format!("password=p&email={}", "a".repeat(size - 17));
        for piece in form.as_bytes().chunks(4096) {
            stream
                .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                .await?;
            stream.write_all(piece).await?;
            stream.write_all(b"\r\n").await?;
        }
        stream.write_all(b"0\r\n\r\n").await
    };
    // The server may answer before it has read everything; that is fine.
    let _ = writing.await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut response),
    )
    .await;
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let body = if header("transfer-encoding").eq_ignore_ascii_case("chunked") {
        // One or more chunks: keep the data lines.
        body.split("\r\n")
            .collect::<Vec<_>>()
            .chunks(2)
            .filter_map(|pair| pair.get(1).copied())
            .collect::<String>()
    } else {
        body.to_string()
    };
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, body, header("x-request-id"))
}

async fn bodies_over_the_limit_are_413_with_or_without_a_length(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("REQUEST_BODY_LIMIT", "64KiB")]).await;
    // Streamed in chunks, no Content-Length: cut off at the limit.
    let answer = post_chunked(&app, "/api/auth/login", 80 * 1024).await;
    assert_refused(&answer, 413, "payload_too_large", "too large");
    // Under the limit the same way: read and answered as usual (that is no email).
    let answer = post_chunked(&app, "/api/auth/login", 8 * 1024).await;
    assert_refused(&answer, 422, "validation", "attention");
    assert!(field_error(&answer.1, "email").is_some(), "{}", answer.1);
    // With a Content-Length: refused before reading.
    let big = format!("email={}&password=p", "x".repeat(100 * 1024));
    let answer = post_bytes(&app.browser(), "/api/auth/login", FORM, big.into_bytes()).await;
    assert_refused(&answer, 413, "payload_too_large", "too large");
}
backend_test!(bodies_over_the_limit_are_413_with_or_without_a_length);

/// Calls a form server function with one field over-long and asserts the field error.
#[track_caller]
fn assert_field_refused(path: &str, field: &str, answer: &(u16, Value)) {
    assert_eq!(
        (answer.0, answer.1["error"]["code"].as_str()),
        (422, Some("validation")),
        "{path} with an over-long {field}: {}",
        answer.1
    );
    let message = field_error(&answer.1, field)
        .unwrap_or_else(|| panic!("{path}: no message at {field}: {}", answer.1));
    assert!(!message.is_empty());
}

/// `fields` with `field` set to `value`.
fn with<'a>(fields: &[(&'a str, &'a str)], field: &str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    assert!(fields.iter().any(|(k, _)| *k == field), "no field {field}");
    fields
        .iter()
        .map(|&(k, v)| if k == field { (k, value) } else { (k, v) })
        .collect()
}

async fn over_long_text_is_refused_at_its_field_and_not_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let (acme, card, version) = cards::card_with(&admin, "Acme", &full_content("Acme card")).await;
    cards::publish(&admin, &card).await;
    let long = |n: usize| "x".repeat(n + 1);
    let long_email = format!("{}@example.com", "a".repeat(300));
    let long_url = format!("https://example.com/{}", "a".repeat(2100));
    let long_password = "Zq9!".repeat(40);
    let (l100, l150, l200, l500, l1000, l5000) = (
        long(100),
        long(150),
        long(200),
        long(500),
        long(1000),
        long(5000),
    );
    let (l40, l60, l128, l100k) = (long(40), long(60), long(128), long(100_000));

    // Each form: its valid fields, then each text field over its limit in turn.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>);
    let competitor = vec![
        ("name", "Globex"),
        ("website", "globex.example"),
        ("description", "They sell things."),
        ("tags", "enterprise"),
        ("keywords", "globex"),
    ];
    let competitor_long = vec![
        ("name", l100.as_str()),
        ("website", long_url.as_str()),
        ("description", l5000.as_str()),
        ("tags", l40.as_str()),
        ("keywords", l60.as_str()),
    ];
    let mut update = competitor.clone();
    update.push(("id", acme.as_str()));
    let user = vec![
        ("name", "Vic Viewer"),
        ("email", "vic@example.com"),
        ("role", "viewer"),
        ("password", PASSWORD),
    ];
    let signup = vec![
        ("name", "Fox"),
        ("email", "fox@example.com"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("invite", ""),
    ];
    let list = vec![
        ("q", ""),
        ("tag", ""),
        ("sort", "name"),
        ("archived", "false"),
        ("page", "1"),
    ];
    let cases: Vec<Case> = vec![
        (
            "/api/competitors/create",
            competitor.clone(),
            competitor_long.clone(),
        ),
        ("/api/competitors/update", update, competitor_long),
        (
            "/api/cards/create",
            vec![("competitor_id", acme.as_str()), ("title", "Second card")],
            vec![("title", l150.as_str())],
        ),
        (
            "/api/sources/add_note",
            vec![
                ("competitor_id", acme.as_str()),
                ("title", "Call notes"),
                ("text", "They raised prices."),
            ],
            vec![("title", l200.as_str()), ("text", l100k.as_str())],
        ),
        (
            "/api/sources/add_url",
            vec![
                ("competitor_id", acme.as_str()),
                ("url", "https://acme.example/"),
            ],
            vec![("url", long_url.as_str())],
        ),
        (
            "/api/admin/create_user",
            user,
            vec![
                ("name", l100.as_str()),
                ("email", long_email.as_str()),
                ("password", long_password.as_str()),
            ],
        ),
        (
            "/api/admin/create_invitation",
            vec![("email", "new@example.com"), ("role", "viewer")],
            vec![("email", long_email.as_str())],
        ),
        (
            "/api/auth/change_password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "Another-Horse-Battery-7"),
                ("new_password_confirm", "Another-Horse-Battery-7"),
            ],
            vec![
                ("current_password", l128.as_str()),
                ("new_password", long_password.as_str()),
            ],
        ),
        (
            "/api/admin/users",
            vec![("query", "ann"), ("page", "1")],
            vec![("query", l500.as_str())],
        ),
        (
            "/api/search",
            vec![("q", "acme")],
            vec![("q", l500.as_str())],
        ),
        (
            "/api/competitors/list",
            list,
            vec![("q", l500.as_str()), ("tag", l40.as_str())],
        ),
    ];
    for (path, valid, over_long) in &cases {
        for (field, value) in over_long {
            let answer = admin.call(path, &with(valid, field, value)).await;
            assert_field_refused(path, field, &answer);
        }
    }
    // Signing up and in, anonymously.
    let visitor = app.browser();
    for (field, value) in [
        ("name", l100.as_str()),
        ("email", long_email.as_str()),
        ("password", long_password.as_str()),
        ("invite", l100.as_str()),
    ] {
        let mut fields = with(&signup, field, value);
        if field == "password" {
            fields = with(&fields, "password_confirm", value);
        }
        let answer = visitor.call("/api/auth/signup", &fields).await;
        assert_field_refused("/api/auth/signup", field, &answer);
    }
    let login = [("email", "ann@example.com"), ("password", PASSWORD)];
    for (field, value) in [("email", long_email.as_str()), ("password", l128.as_str())] {
        let answer = visitor
            .call("/api/auth/login", &with(&login, field, value))
            .await;
        assert_field_refused("/api/auth/login", field, &answer);
    }

    // The card editor's JSON save: every text of the card, and the note.
    let base = full_content("Acme card");
    let mut over: Vec<(String, Value, String)> = vec![
        ("title".into(), json!(l150), String::new()),
        ("summary".into(), json!(long(300)), String::new()),
    ];
    for key in SECTIONS {
        over.push((key.into(), json!(long(20_000)), format!("section.{key}")));
    }
    for (key, value, field) in over {
        let mut content = base.clone();
        content[&key] = value;
        let field = if field.is_empty() { key } else { field };
        let answer = cards::save(&admin, &card, version, &content).await;
        assert_field_refused("/api/cards/save", &field, &answer);
    }
    for (part, value) in [("objection", long(500)), ("answer", long(5000))] {
        let mut content = base.clone();
        content["objections"][0][part] = json!(value);
        let answer = cards::save(&admin, &card, version, &content).await;
        assert_field_refused("/api/cards/save", &format!("objections.0.{part}"), &answer);
    }
    let answer = admin
        .call_json(
            "/api/cards/save",
            &json!({"id": card, "base_version": version, "content": base, "note": long(300)}),
        )
        .await;
    assert_field_refused("/api/cards/save", "note", &answer);

    // A rep's comment on an objection answer.
    let objection = cards::editor(&admin, &card).await["content"]["objections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = admin
        .call(
            "/api/cards/feedback",
            &[
                ("card_id", card.as_str()),
                ("objection_id", objection.as_str()),
                ("helpful", "true"),
                ("comment", l1000.as_str()),
            ],
        )
        .await;
    assert_field_refused("/api/cards/feedback", "comment", &answer);

    // Nothing was stored.
    let (_, list) = admin
        .call(
            "/api/competitors/list",
            &[
                ("q", ""),
                ("tag", ""),
                ("sort", "name"),
                ("archived", "false"),
                ("page", "1"),
            ],
        )
        .await;
    assert_eq!(list["page"]["total"], 1, "only Acme: {list}");
    let (_, detail) = admin
        .call("/api/competitors/detail", &[("id", &acme)])
        .await;
    assert_eq!(detail["competitor"]["name"], "Acme");
    assert_eq!(detail["cards"].as_array().unwrap().len(), 1, "{detail}");
    let (_, sources) = admin
        .call("/api/sources/list", &[("competitor_id", &acme)])
        .await;
    assert_eq!(sources, json!([]));
    let (_, users) = admin
        .call("/api/admin/users", &[("query", ""), ("page", "1")])
        .await;
    assert_eq!(users["total"], 1, "{users}");
    let (_, invitations) = admin.call("/api/admin/invitations", &[("page", "1")]).await;
    assert_eq!(invitations["total"], 0, "{invitations}");
    let editor = cards::editor(&admin, &card).await;
    assert_eq!(editor["version"], version, "no new version");
    let (_, rep) = admin.call("/api/cards/read", &[("id", &card)]).await;
    assert_eq!(rep["objections"][0]["my_vote"], Value::Null, "no vote kept");
    let (status, _) = app
        .browser()
        .call(
            "/api/auth/login",
            &[("email", "ann@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200, "the password did not change");
}
backend_test!(over_long_text_is_refused_at_its_field_and_not_stored);

async fn a_very_long_people_search_is_a_field_error_not_a_database_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let query = "%_".repeat(50_000);
    for (path, fields, field) in [
        (
            "/api/admin/users",
            vec![("query", query.as_str()), ("page", "1")],
            "query",
        ),
        ("/api/search", vec![("q", query.as_str())], "q"),
        (
            "/api/competitors/list",
            vec![
                ("q", query.as_str()),
                ("tag", ""),
                ("sort", "name"),
                ("archived", "false"),
                ("page", "1"),
            ],
            "q",
        ),
    ] {
        let answer = admin.call(path, &fields).await;
        assert_field_refused(path, field, &answer);
        assert!(
            field_error(&answer.1, field)
                .unwrap()
                .contains("500 characters"),
            "{}",
            answer.1
        );
    }
}
backend_test!(a_very_long_people_search_is_a_field_error_not_a_database_error);

/// A NUL character fits in SQLite's text but not PostgreSQL's: on PostgreSQL the
/// request is refused as bad input (400), never a 500; on SQLite it is served.
async fn nul_characters_are_never_a_server_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Ann Admin", "ann@example.com").await;
    let answers = [
        admin
            .call(
                "/api/competitors/create",
                &[
                    ("name", "Ac\0me"),
                    ("website", ""),
                    ("description", ""),
                    ("tags", ""),
                    ("keywords", ""),
                ],
            )
            .await,
        admin.call("/api/search", &[("q", "ac\0me")]).await,
        admin.call("/api/cards/editor", &[("id", "card\0id")]).await,
        admin
            .call("/api/admin/users", &[("query", "a\0n"), ("page", "1")])
            .await,
    ];
    for answer in &answers {
        assert!(answer.0 < 500, "{} {}", answer.0, answer.1);
        if answer.0 >= 400 {
            let code = answer.1["error"]["code"].as_str().unwrap_or_default();
            assert!(["bad_request", "not_found"].contains(&code), "{}", answer.1);
        }
    }
    if backend == Backend::PostgresRedis {
        assert_eq!(answers[0].0, 400, "{}", answers[0].1);
        let (_, list) = admin
            .call(
                "/api/competitors/list",
                &[
                    ("q", ""),
                    ("tag", ""),
                    ("sort", "name"),
                    ("archived", "false"),
                    ("page", "1"),
                ],
            )
            .await;
        assert_eq!(list["page"]["total"], 0, "nothing stored: {list}");
    }
}
backend_test!(nul_characters_are_never_a_server_error);
