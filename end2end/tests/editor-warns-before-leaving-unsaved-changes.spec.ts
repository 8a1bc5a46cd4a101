// An editor who has typed into a card and then follows a link (the "Competitors"
// navigation, say) is asked first, and can stay without losing anything. Once the
// changes are saved, links are followed without a question.
import type { Dialog } from "@playwright/test";

import { expect, test } from "./support/fixtures";

import { ADMIN_STATE, navigateTo, open, uniqueId } from "./support/app";
import { Editor, prepareCard, screenOnly } from "./support/cards";

test.describe("on a desktop", () => {
  screenOnly("desktop");
  test.use({ storageState: ADMIN_STATE });

  test("following a link with unsaved changes asks first; staying keeps the text", async ({ page, browser }) => {
    const card = await prepareCard(browser, { title: `Unsaved ${uniqueId()}`, sections: { Pricing: "From $99 per seat." } });
    const editorUrl = `/cards/${card.cardId}/edit`;
    await open(page, editorUrl);
    const editor = new Editor(page);

    const dialogs: Dialog[] = [];
    let answer: "dismiss" | "accept" = "dismiss";
    page.on("dialog", async (dialog) => {
      dialogs.push(dialog);
      if (answer === "accept") await dialog.accept();
      else await dialog.dismiss();
    });

    // Unsaved text, then the "Competitors" link: a question; staying keeps everything.
    const typed = "From $129 per seat, no discounts.";
    await editor.section("Pricing").fill(typed);
    await expect(editor.savedState).toHaveText("Unsaved changes");
    const competitors = page.locator("nav#primary-nav").getByRole("link", { name: "Competitors", exact: true });
    await competitors.click();
    await expect.poll(() => dialogs.length, { message: "a confirm dialog is shown" }).toBe(1);
    expect(dialogs[0].type()).toBe("confirm");
    expect(dialogs[0].message()).toContain("unsaved changes");
    await page.waitForTimeout(300);
    expect(new URL(page.url()).pathname).toBe(editorUrl);
    await expect(editor.section("Pricing")).toHaveValue(typed);
    await expect(editor.savedState).toHaveText("Unsaved changes");

    // The crumb link back to the competitor asks too; this time leave.
    answer = "accept";
    await page.locator(".crumbs").getByRole("link", { name: card.competitorName }).click();
    await expect.poll(() => dialogs.length).toBe(2);
    await expect(page).toHaveURL(`/competitors/${card.competitorId}`);

    // Nothing was saved by leaving.
    await open(page, editorUrl);
    await expect(editor.section("Pricing")).toHaveValue("From $99 per seat.");

    // Saved changes: no question.
    await editor.section("Pricing").fill(typed);
    await editor.save();
    await navigateTo(page, "Competitors", "/competitors");
    expect(dialogs.length, "no question once everything is saved").toBe(2);
  });

  test("closing the tab with unsaved changes asks first", async ({ page, browser }) => {
    const card = await prepareCard(browser, { title: `Unsaved ${uniqueId()}` });
    await open(page, `/cards/${card.cardId}/edit`);
    const editor = new Editor(page);
    // A real click first: browsers only ask pages the person has interacted with.
    await editor.section("Overview").click();
    await editor.section("Overview").pressSequentially("Half-written");
    await expect(editor.savedState).toHaveText("Unsaved changes");

    const asked = page.waitForEvent("dialog");
    await page.close({ runBeforeUnload: true });
    const dialog = await asked;
    expect(dialog.type()).toBe("beforeunload");
    await dialog.accept();
  });
});
