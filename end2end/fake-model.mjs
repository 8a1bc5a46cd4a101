// A stand-in for an OpenAI-compatible model server, for the browser tests only. It
// answers chat completions slowly (so a progress bar can be watched) with a draft that
// quotes the pricing source correctly once and invents one quote, which Outrival must
// mark unverified. Usage: node fake-model.mjs PORT
import http from "node:http";

const port = Number(process.argv[2]);
const DELAY_MS = 2500;

function answer(body) {
  const user = body.messages?.[1]?.content ?? "";
  const sources = [...user.matchAll(/<source id="(S\d+)" title="([^"]*)">\n([\s\S]*?)\n<\/source>/g)];
  const pricing = sources.find((s) => /pricing/i.test(s[2])) ?? sources[0];
  const id = pricing ? pricing[1] : "S1";
  const line = (pricing ? pricing[3] : "").split("\n").find((l) => l.includes("$")) ?? "";
  const content = {
    summary: { text: "Acme sells per-seat plans.", citations: [{ source: id, quote: line }] },
    sections: {
      pricing: [
        { text: line, citations: [{ source: id, quote: line }] },
        { text: "Acme gives every customer a lifetime free plan.", citations: [{ source: id, quote: "a lifetime free plan for every customer, forever" }] },
      ],
    },
    keywords: ["pricing", "plans"],
  };
  return {
    id: "chatcmpl-e2e",
    object: "chat.completion",
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(content) }, finish_reason: "stop" }],
    usage: { prompt_tokens: 900, completion_tokens: 120, total_tokens: 1020 },
  };
}

http
  .createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "GET" && req.url === "/v1/models") {
        res.end(JSON.stringify({ object: "list", data: [{ id: "fake-model", object: "model" }] }));
      } else if (req.method === "POST" && req.url === "/v1/chat/completions") {
        setTimeout(() => res.end(JSON.stringify(answer(JSON.parse(raw)))), DELAY_MS);
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: "not found" } }));
      }
    });
  })
  .listen(port, "127.0.0.1");
