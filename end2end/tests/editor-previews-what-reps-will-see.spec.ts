// An editor opens the rep view of a card that is not published yet: it shows what reps
// will see, under a banner that says it is not published, with no rating buttons. A
// rep opening the same address gets "not found". Once published, a newer draft's text
// stays out of everything the rep sees of the card.
import { expect, test } from "./support/fixtures";

import { newPerson, open, signIn, waitForHydration } from "./support/app";
import { Editor, createPersonViaApi, expectNoHorizontalScroll, prepareCard, uniqueWord } from "./support/cards";

for (const screen of ["desktop", "phone"] as const) {
  test.describe(`on ${screen}`, () => {
    test.use(screen === "phone" ? { viewport: { width: 375, height: 812 }, hasTouch: true } : {});

    test("an editor previews an unpublished card; a rep sees only what is published", async ({ page, browser }) => {
      const secret = uniqueWord("draftonly");
      const card = await prepareCard(browser, {
        title: "Winning against Initech",
        summary: "Lead with support.",
        sections: { Overview: "Initech sells **payroll** software." },
        objections: [{ objection: "Initech is cheaper.", answer: "Count the support hours." }],
      });

      const editor = await createPersonViaApi(newPerson("preview-editor", "editor"));
      await signIn(page, editor.email, editor.password);
      await page.goto(`/cards/${card.cardId}`);
      await waitForHydration(page);
      await expect(page.getByRole("status").filter({ hasText: "Not published" })).toContainText(
        "this is what reps will see",
      );
      await expect(page.getByRole("heading", { level: 1 })).toContainText("Winning against Initech");
      await page.locator("summary", { hasText: "Initech is cheaper." }).click();
      await expect(page.getByText("Count the support hours.")).toBeVisible();
      await expect(page.getByRole("button", { name: "👍 Helped" })).toHaveCount(0);
      await expectNoHorizontalScroll(page, "the preview");

      // A rep opening the same address finds nothing there yet.
      const rep = await createPersonViaApi(newPerson("preview-rep", "viewer"));
      const repContext = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
      const repPage = await repContext.newPage();
      await signIn(repPage, rep.email, rep.password);
      await repPage.goto(`/cards/${card.cardId}`);
      await expect(repPage.getByRole("heading", { name: "Not found" })).toBeVisible();
      await expect(repPage.locator("body")).not.toContainText("Winning against Initech");

      // Publish it, then start a draft whose title only editors may read.
      // The status buttons work once the page is interactive (hydrated).
      await open(page, `/cards/${card.cardId}/edit`);
      const cardEditor = new Editor(page);
      await cardEditor.publish();
      await page.getByLabel("Title", { exact: true }).fill(`Initech plan ${secret}`);
      await cardEditor.save();

      await repPage.goto(`/cards/${card.cardId}`);
      await expect(repPage.getByRole("heading", { level: 1 })).toContainText("Winning against Initech");
      await expect(repPage.getByText("Not published")).toHaveCount(0);
      for (const path of [`/cards/${card.cardId}`, `/competitors/${card.competitorId}`, "/"]) {
        await repPage.goto(path);
        await expect(repPage.locator("body")).not.toContainText(secret);
      }
      // Searching for the draft's word finds nothing (the page repeats the query itself).
      await repPage.goto(`/search?q=${secret}`);
      await expect(repPage.locator(".panel.empty")).toContainText(`Nothing matches “${secret}”.`);
      await expect(repPage.locator(".hits")).toHaveCount(0);
      await repPage.goto(`/search?q=Initech`);
      await expect(repPage.locator(".hits")).toContainText("Winning against Initech");
      await expect(repPage.locator(".hits")).not.toContainText(secret);
      await repContext.close();
    });
  });
}
