// A rep downloads a published battlecard as PDF and as Word from the rep view, to
// attach to an e-mail or print. The files are real documents of the published
// version — not of the draft an editor is working on meanwhile.
import fs from "node:fs";
import zlib from "node:zlib";

import type { Download, Locator, Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";

import { asAdmin, newPerson, open, signIn } from "./support/app";
import { Editor, createPersonViaApi, prepareCard, screenOnly, uniqueWord } from "./support/cards";

/** Clicks `link` and returns the download it starts, with the file's bytes. */
async function download(page: Page, link: Locator): Promise<{ download: Download; bytes: Buffer }> {
  const [started] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const failure = await started.failure();
  expect(failure, "the download completes").toBeNull();
  const path = await started.path();
  return { download: started, bytes: fs.readFileSync(path) };
}

/** The text of one file inside a ZIP archive (a .docx is one), or null when it is not there. */
function zipEntry(zip: Buffer, name: string): string | null {
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return null;
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) return null;
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entryName = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (entryName === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      return (method === 8 ? zlib.inflateRawSync(data) : data).toString("utf8");
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return null;
}

test.describe("on a desktop", () => {
  screenOnly("desktop");

  test("a rep downloads a published card as PDF and as Word", async ({ page, browser }) => {
    const liveWord = uniqueWord("publishedtext");
    const draftWord = uniqueWord("drafttext");
    const card = await prepareCard(browser, {
      title: "Beating Acme on cost",
      summary: "Lead with onboarding time.",
      sections: {
        Overview: `Acme sells a CRM. ${liveWord}`,
        Pricing: "From **$99 per seat**, discounts up to 20 %.",
        "Why we win": "- Faster onboarding\n- One price for every connector",
      },
      objections: [
        { objection: "Acme is cheaper.", answer: "Count the **onboarding** weeks." },
        { objection: "Acme has more integrations.", answer: "We cover the ones that matter." },
      ],
      publish: true,
    });
    // An editor keeps working on the card; reps still get the published version.
    await asAdmin(browser, async (editorPage) => {
      await open(editorPage, `/cards/${card.cardId}/edit`);
      const editor = new Editor(editorPage);
      await editor.section("Overview").fill(`Acme sells a CRM and a help desk. ${draftWord}`);
      await editor.save();

      // The editor's own Word export is of the newest version.
      const { download: word, bytes } = await download(editorPage, editor.bar.getByRole("link", { name: "Word" }));
      expect(word.suggestedFilename()).toMatch(/\.docx$/);
      const documentXml = zipEntry(bytes, "word/document.xml");
      expect(documentXml, "the .docx has word/document.xml").not.toBeNull();
      expect(documentXml).toContain(draftWord);
    });

    const rep = await createPersonViaApi(newPerson("rep", "viewer"));
    await signIn(page, rep.email, rep.password);
    await open(page, `/cards/${card.cardId}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(card.title);

    // PDF.
    const pdf = await download(page, page.getByRole("link", { name: "PDF", exact: true }));
    expect(pdf.download.suggestedFilename()).toMatch(/\.pdf$/);
    expect(pdf.bytes.length).toBeGreaterThan(1000);
    expect(pdf.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.bytes.subarray(-1024).toString("latin1")).toContain("%%EOF");
    // Still on the card: a download does not navigate.
    await expect(page).toHaveURL(`/cards/${card.cardId}`);

    // Word.
    const docx = await download(page, page.getByRole("link", { name: "Word", exact: true }));
    expect(docx.download.suggestedFilename()).toMatch(/\.docx$/);
    expect(docx.bytes.length).toBeGreaterThan(1000);
    expect(docx.bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    const documentXml = zipEntry(docx.bytes, "word/document.xml");
    expect(documentXml, "the .docx has word/document.xml").not.toBeNull();
    expect(documentXml).toContain(card.title);
    expect(documentXml).toContain(liveWord);
    expect(documentXml).toContain("Acme has more integrations.");
    expect(documentXml, "the rep's export is the published version, not the editor's draft").not.toContain(draftWord);
  });
});
