// The competitor and battlecard pages pass axe-core's WCAG 2 A and AA checks without
// serious or critical violations, on a desktop and on a phone-sized screen: the
// competitor list and page, the new-competitor form, the card editor (with and
// without a conflict), the history, the rep view, and search results.
import type { Browser, Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";
import { expectNoSeriousViolations } from "./support/axe";

import { ADMIN_STATE, DESKTOP, PHONE, open } from "./support/app";
import { Editor, prepareCard, uniqueWord, type PreparedCard } from "./support/cards";

/** One published card with every kind of content, shared by the tests of this file. */
let card: PreparedCard | undefined;
let word = "";

async function theCard(browser: Browser): Promise<PreparedCard> {
  if (!card) {
    word = uniqueWord("axeword");
    card = await prepareCard(browser, {
      title: "Accessible card",
      summary: "Lead with onboarding time.",
      sections: {
        Overview: `Acme sells a **CRM** to mid-sized teams. ${word}\n\n- founded 2009\n- [website](https://example.com)`,
        Pricing: "| Plan | Price |\n| --- | --- |\n| Team | $99 |\n| Business | $149 |",
        "Why we win": "1. Faster onboarding\n2. One price",
      },
      objections: [
        { objection: `Acme is cheaper ${word}.`, answer: "Count the **onboarding** weeks." },
        { objection: "Acme has more integrations.", answer: "We cover the ones that matter." },
      ],
      publish: true,
    });
  }
  return card;
}

for (const [screen, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const) {
  test.describe(`on a ${screen} (${viewport.width}×${viewport.height})`, () => {
    test.use({ viewport, storageState: ADMIN_STATE });

    test("/competitors has no serious accessibility violations", async ({ page, browser }) => {
      await theCard(browser);
      await open(page, "/competitors");
      await expect(page.getByRole("heading", { name: "Competitors", level: 1 })).toBeVisible();
      await expect(page.locator(".competitor-grid").getByRole("listitem").first()).toBeVisible();
      await expectNoSeriousViolations(page, `/competitors (${screen})`);
    });

    test("/competitors/new has no serious accessibility violations, also with field errors", async ({ page }) => {
      await open(page, "/competitors/new");
      await expect(page.getByRole("heading", { name: "New competitor", level: 1 })).toBeVisible();
      await expectNoSeriousViolations(page, `/competitors/new (${screen})`);
      // An invalid website is refused with a field error.
      await page.getByLabel("Name", { exact: true }).fill(`Axe ${uniqueWord("x")}`);
      await page.getByLabel("Website", { exact: true }).fill("not a website at all");
      await page.getByRole("button", { name: "Add competitor" }).click();
      await expect(page.locator(".field-error").first()).toBeVisible();
      await expectNoSeriousViolations(page, `/competitors/new with field errors (${screen})`);
    });

    test("a competitor page has no serious accessibility violations", async ({ page, browser }) => {
      const c = await theCard(browser);
      await open(page, `/competitors/${c.competitorId}`);
      await expect(page.getByRole("heading", { name: c.competitorName, level: 1 })).toBeVisible();
      await expect(page.getByRole("link", { name: c.title })).toBeVisible();
      await expectNoSeriousViolations(page, `a competitor page (${screen})`);
    });

    test("the card editor has no serious accessibility violations", async ({ page, browser }) => {
      const c = await theCard(browser);
      await open(page, `/cards/${c.cardId}/edit`);
      const editor = new Editor(page);
      await expect(editor.savedState).toHaveText(/^Version \d+ · saved by /);
      await expect(editor.preview("Pricing").getByRole("table")).toBeVisible();
      await expectNoSeriousViolations(page, `the card editor (${screen})`);
    });

    test("the conflict screen has no serious accessibility violations", async ({ page, browser }) => {
      const c = await prepareCard(browser, { title: "Conflict card", sections: { Pricing: "From $99." } });
      const other = await browser.newContext({ storageState: ADMIN_STATE, viewport });
      try {
        const otherPage = await other.newPage();
        await open(page, `/cards/${c.cardId}/edit`);
        await open(otherPage, `/cards/${c.cardId}/edit`);
        const theirs = new Editor(otherPage);
        await theirs.section("Pricing").fill("From $120.");
        await theirs.save();
      } finally {
        await other.close();
      }
      const editor = new Editor(page);
      await editor.section("Pricing").fill("From $80.");
      await editor.bar.getByRole("button", { name: "Save", exact: true }).click();
      await expect(page.getByRole("heading", { name: "Someone else saved this card" })).toBeVisible();
      await expectNoSeriousViolations(page, `the conflict screen (${screen})`);
    });

    test("a card's history has no serious accessibility violations", async ({ page, browser }) => {
      const c = await theCard(browser);
      await open(page, `/cards/${c.cardId}/history?from=1&to=2`);
      await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();
      await expect(page.getByRole("table", { name: "Changed lines" }).first()).toBeVisible();
      await expectNoSeriousViolations(page, `a card's history (${screen})`);
    });

    test("the rep view has no serious accessibility violations, with an objection open", async ({ page, browser }) => {
      const c = await theCard(browser);
      await open(page, `/cards/${c.cardId}#objection-${c.objectionIds[0]}`);
      const objection = page.locator(`details#objection-${c.objectionIds[0]}`);
      await expect(objection).toHaveJSProperty("open", true);
      await expect(objection.getByRole("button", { name: "👍 Helped" })).toBeVisible();
      await expectNoSeriousViolations(page, `the rep view (${screen})`);
    });

    test("search results have no serious accessibility violations", async ({ page, browser }) => {
      await theCard(browser);
      await open(page, "/search?q=x");
      await expect(page.getByRole("heading", { name: "Search", level: 1 })).toBeVisible();
      await expectNoSeriousViolations(page, `/search?q=x (${screen})`);
      await open(page, `/search?q=${word}`);
      await expect(page.locator(".hits mark").first()).toBeVisible();
      await expectNoSeriousViolations(page, `/search with highlighted hits (${screen})`);
    });
  });
}
