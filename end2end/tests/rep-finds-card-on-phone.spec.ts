// A sales rep (a viewer) on a phone, mid-call: searches the header box for a word
// the buyer used, opens the objection the search found, and says the answer helped.
// The editor then sees that feedback next to the objection. Drafts stay out of the
// rep's search, and nothing on the way scrolls sideways at 375 px.
import type { Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";

import { PHONE, asAdmin, newPerson, open, signIn, waitForHydration } from "./support/app";
import { Editor, createPersonViaApi, expectNoHorizontalScroll, prepareCard, screenOnly, uniqueWord } from "./support/cards";

/** Types `query` into the header's search box and submits it; waits for the results page (loaded and hydrated). */
async function searchFromHeader(page: Page, query: string): Promise<void> {
  const box = page.getByRole("searchbox", { name: "Search competitors and battlecards" });
  await expect(box).toBeVisible();
  await box.fill(query);
  await box.press("Enter");
  await expect(page).toHaveURL(`/search?q=${encodeURIComponent(query)}`);
  await expect(page.getByRole("heading", { name: "Search", level: 1 })).toBeVisible();
  // The search form is a plain form: its answer is a new page.
  await waitForHydration(page);
}

test.describe("on a phone", () => {
  screenOnly("phone");

  test("a rep finds an objection from the header search, opens it and says the answer helped", async ({ page, browser }) => {
    const word = uniqueWord("integrationtax");
    const card = await prepareCard(browser, {
      title: "Beating Acme on total cost",
      summary: "Lead with onboarding time.",
      sections: { Overview: "Acme sells a CRM to **mid-sized** teams.", Pricing: "From $99 per seat." },
      objections: [
        { objection: "Acme is cheaper per seat.", answer: "Count onboarding: Acme bills six weeks of services." },
        { objection: `Acme charges no ${word} for connectors.`, answer: "Neither do we: **every connector** is included." },
      ],
      publish: true,
    });
    const objectionId = card.objectionIds[1];

    const rep = await createPersonViaApi(newPerson("rep", "viewer"));
    await signIn(page, rep.email, rep.password);

    // Search from the header.
    await searchFromHeader(page, word);
    const hits = page.locator(".hits");
    await expect(page.getByRole("status")).toHaveText(`1 result for “${word}”`);
    await expect(hits.getByRole("listitem")).toHaveCount(1);
    await expect(hits.locator("mark").first()).toHaveText(new RegExp(word, "i"));
    await expect(hits).toContainText(`Objection · ${card.title}`);
    await expectNoHorizontalScroll(page, "the search results");

    // The hit leads straight to the objection, opened.
    await hits.getByRole("link", { name: `Acme charges no ${word} for connectors.` }).tap();
    await expect(page).toHaveURL(`/cards/${card.cardId}#objection-${objectionId}`);
    // The rep view is a new page: its buttons answer once it is hydrated.
    await waitForHydration(page);
    const objection = page.locator(`details#objection-${objectionId}`);
    await expect(objection).toHaveJSProperty("open", true);
    await expect(objection.locator("strong")).toHaveText("every connector");
    await expect(objection).toBeInViewport();
    // The other objection stays closed.
    await expect(page.locator(`details#objection-${card.objectionIds[0]}`)).toHaveJSProperty("open", false);
    await expect(objection.getByRole("button", { name: "Copy answer" })).toBeVisible();
    await expectNoHorizontalScroll(page, "the rep view");

    // The answer helped.
    await expect(objection.getByRole("status")).toHaveText("Did this answer help?");
    await objection.getByRole("button", { name: "👍 Helped" }).tap();
    await expect(objection.getByRole("status")).toHaveText("You said this helped. Thanks!");
    await expect(objection.getByRole("button", { name: "👍 Helped" })).toHaveAttribute("aria-pressed", "true");
    await expect(objection.getByRole("button", { name: "👎 Didn't help" })).toHaveAttribute("aria-pressed", "false");

    // The vote is kept: opening the deep link again shows it.
    await open(page, `/cards/${card.cardId}#objection-${objectionId}`);
    await expect(objection).toHaveJSProperty("open", true);
    await expect(objection.getByRole("status")).toHaveText("You said this helped. Thanks!");
    // Loaded whole (hydrated, not rendered in the browser), the answer still copies as shown.
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await objection.getByRole("button", { name: "Copy answer" }).tap();
    await expect(objection.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("Neither do we: every connector is included.");

    // The editor sees the count next to that objection (and only there).
    await asAdmin(
      browser,
      async (editorPage) => {
        await open(editorPage, `/cards/${card.cardId}/edit`);
        const editor = new Editor(editorPage);
        await expect(editor.objectionRows).toHaveCount(2);
        const row = editorPage.locator(`li#objection-${objectionId}`);
        await expect(row.locator(".feedback-summary")).toContainText("👍 1 helped");
        await expect(row.locator(".feedback-summary")).toContainText("👎 0 didn't help");
        await expect(
          editorPage.locator(`li#objection-${card.objectionIds[0]} .feedback-summary`).filter({ hasText: "👍 1 helped" }),
        ).toHaveCount(0);
        await expectNoHorizontalScroll(editorPage, "the card editor");
      },
      { viewport: PHONE, hasTouch: true },
    );
  });

  test("a rep's search finds nothing that is only in a draft", async ({ page, browser }) => {
    const neverPublished = uniqueWord("draftonly");
    const editedLater = uniqueWord("notyetlive");
    const published = uniqueWord("livealready");

    // One card never published; another published, then edited without publishing again.
    await prepareCard(browser, {
      title: "Work in progress",
      objections: [{ objection: `They bundle ${neverPublished} for free.`, answer: "Still researching." }],
    });
    const live = await prepareCard(browser, {
      title: "Live card",
      objections: [{ objection: `They mention ${published} a lot.`, answer: "Show the benchmark." }],
      publish: true,
    });
    await asAdmin(browser, async (editorPage) => {
      await open(editorPage, `/cards/${live.cardId}/edit`);
      const editor = new Editor(editorPage);
      await editor.section("Pricing").fill(`New plan: ${editedLater} tier.`);
      await editor.save();
      await expect(editor.bar).toContainText("Reps see version 2 until you publish again.");
      // Editors do find the unpublished text (so it is indexed).
      for (const word of [neverPublished, editedLater]) {
        await open(editorPage, `/search?q=${word}`);
        await expect(editorPage.locator(".hits").getByRole("listitem")).toHaveCount(1);
      }
    });

    const rep = await createPersonViaApi(newPerson("rep", "viewer"));
    await signIn(page, rep.email, rep.password);
    for (const word of [neverPublished, editedLater]) {
      await searchFromHeader(page, word);
      await expect(page.getByText(`Nothing matches “${word}”.`)).toBeVisible();
      await expect(page.locator(".hits")).toHaveCount(0);
      await expectNoHorizontalScroll(page, "the empty search results");
    }
    // The published version is found.
    await searchFromHeader(page, published);
    await expect(page.locator(".hits").getByRole("listitem")).toHaveCount(1);
    await expect(page.locator(".hits").getByRole("link")).toHaveAttribute("href", new RegExp(`^/cards/${live.cardId}#objection-`));

    // Opening the draft directly is refused too.
    const draftCard = await prepareCard(browser, { title: "Another draft", sections: { Overview: "Secret." } });
    await open(page, `/cards/${draftCard.cardId}`);
    await expect(page.getByText("Secret.")).toHaveCount(0);
    await open(page, `/cards/${draftCard.cardId}/edit`);
    await expect(page.getByLabel("Overview", { exact: true })).toHaveCount(0);
    await expect(page.getByText("Secret.")).toHaveCount(0);
  });
});
