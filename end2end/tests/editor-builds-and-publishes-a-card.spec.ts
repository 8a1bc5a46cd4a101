// An editor (the admin) adds a competitor, writes a battlecard for it — Markdown
// sections with a live preview, three objections put in order — saves it with the
// button and with Ctrl/Cmd-S, publishes it, and reads its history with a diff.
// Markup typed into a section never becomes live HTML, in the preview or for reps.
import { expect, test } from "./support/fixtures";

import { ADMIN, ADMIN_STATE, navigateTo, open, uniqueId, waitForHydration } from "./support/app";
import { Editor, createCard, createCompetitor, screenOnly, uniqueCompetitor } from "./support/cards";

test.describe("on a desktop", () => {
  screenOnly("desktop");
  test.use({ storageState: ADMIN_STATE });

  test("an editor builds a battlecard, saves it twice, publishes it and reads its history", async ({ page }) => {
    const id = uniqueId();
    const name = uniqueCompetitor("Acme");
    const title = `${name} for mid-market deals`;

    // A new competitor, from the Competitors page.
    await open(page, "/");
    await navigateTo(page, "Competitors", "/competitors");
    await expect(page.getByRole("heading", { name: "Competitors", level: 1 })).toBeVisible();
    await page.getByRole("link", { name: "New competitor" }).click();
    await expect(page).toHaveURL("/competitors/new");
    await waitForHydration(page);
    await expect(page.getByRole("heading", { name: "New competitor", level: 1 })).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Website", { exact: true }).fill("acme.example.com");
    await page.getByLabel("Description", { exact: true }).fill("Sells a CRM to mid-sized teams.");
    await page.getByLabel("Tags", { exact: true }).fill("crm, mid-market");
    await page.getByLabel("Monitoring keywords", { exact: true }).fill(`Acme CRM\nAcme pricing ${id}`);
    await page.getByRole("button", { name: "Add competitor" }).click();
    await expect(page).toHaveURL(/\/competitors\/(?!new$)[^/]+$/);
    await waitForHydration(page);
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    await expect(page.getByText("Sells a CRM to mid-sized teams.")).toBeVisible();
    await expect(page.getByRole("link", { name: "crm", exact: true })).toBeVisible();
    await expect(page.getByText("No battlecards yet.")).toBeVisible();

    // A new card opens in the editor as version 1.
    await page.getByLabel("New battlecard title").fill(title);
    await page.getByRole("button", { name: "Create battlecard" }).click();
    await expect(page).toHaveURL(/\/cards\/[^/]+\/edit$/);
    // The editor answers input once its page is hydrated.
    await waitForHydration(page);
    const cardId = new URL(page.url()).pathname.split("/")[2];
    const editor = new Editor(page);
    await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);
    await expect(editor.savedState).toHaveText(new RegExp(`^Version 1 · saved by ${ADMIN.name}`));
    await expect(editor.bar.getByText("Draft", { exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name })).toBeVisible();

    // Sections in Markdown, with a live preview.
    await page.getByLabel("One-line summary").fill("Win on onboarding time and total cost.");
    await editor.section("Overview").fill("Acme is **strong in enterprise** but slow to onboard.\n\n- founded 2009\n- 400 staff");
    await expect(editor.savedState).toHaveText("Unsaved changes");
    await expect(editor.preview("Overview").locator("strong")).toHaveText("strong in enterprise");
    await expect(editor.preview("Overview").getByRole("listitem")).toHaveText(["founded 2009", "400 staff"]);
    await editor.section("Pricing").fill("List price is **$99 per seat**, discounts up to 20 %.");
    await expect(editor.preview("Pricing").locator("strong")).toHaveText("$99 per seat");

    // Three objections with answers; the third moves up to second place.
    const objections = [
      { objection: "You are more expensive than Acme.", answer: "Count the **onboarding** weeks Acme bills for." },
      { objection: "Acme has more integrations.", answer: "We cover the *ten* that matter; ask which they use." },
      { objection: "Our team already knows Acme.", answer: "Migration takes a day; we do it for you." },
    ];
    for (const o of objections) await editor.addObjection(o.objection, o.answer);
    await expect(editor.objectionRows).toHaveCount(3);
    await expect(editor.objectionRows.nth(0).getByRole("region", { name: "Preview" }).locator("strong")).toHaveText("onboarding");
    await expect(editor.objectionRows.nth(0).getByRole("button", { name: "Move Objection 1 up" })).toBeDisabled();
    await expect(editor.objectionRows.nth(2).getByRole("button", { name: "Move Objection 3 down" })).toBeDisabled();
    await page.getByRole("button", { name: "Move Objection 3 up" }).click();
    const reordered = [objections[0], objections[2], objections[1]];
    for (const [i, o] of reordered.entries()) {
      await expect(editor.objectionText(i)).toHaveValue(o.objection);
      await expect(editor.objectionAnswer(i)).toHaveValue(o.answer);
    }

    // Save with the button: version 2.
    await expect(editor.savedState).toHaveText("Unsaved changes");
    await expect(editor.bar.getByRole("button", { name: "Publish", exact: true })).toBeDisabled();
    await editor.bar.getByRole("button", { name: "Save", exact: true }).click();
    await expect(editor.savedState).toHaveText(/^Version 2 · saved by you/);
    await expect(editor.bar.getByRole("button", { name: "Save", exact: true })).toBeDisabled();

    // Everything was stored, in the new order.
    await page.reload();
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(editor.savedState).toHaveText(new RegExp(`^Version 2 · saved by ${ADMIN.name}`));
    await expect(editor.section("Overview")).toHaveValue(/\*\*strong in enterprise\*\*/);
    await expect(editor.section("Pricing")).toHaveValue("List price is **$99 per seat**, discounts up to 20 %.");
    for (const [i, o] of reordered.entries()) {
      await expect(editor.objectionText(i)).toHaveValue(o.objection);
    }

    // Edit again and save with the keyboard: version 3.
    await editor.section("Pricing").fill("List price is **$109 per seat** since March; discounts up to 20 %.");
    await expect(editor.savedState).toHaveText("Unsaved changes");
    await expect(editor.preview("Pricing").locator("strong")).toHaveText("$109 per seat");
    await editor.section("Pricing").press("ControlOrMeta+s");
    await expect(editor.savedState).toHaveText(/^Version 3 · saved by you/);

    // Publish.
    await editor.bar.getByRole("button", { name: "Publish", exact: true }).click();
    await expect(editor.bar.getByText("Published", { exact: true })).toBeVisible();
    await expect(editor.bar).toContainText("Reps see this version.");
    await expect(editor.bar.getByRole("button", { name: "Publish", exact: true })).toHaveCount(0);
    await expect(editor.bar.getByRole("button", { name: "Back to draft" })).toBeVisible();
    await expect(editor.bar.getByRole("link", { name: "Rep view" })).toBeVisible();

    // Reps read the published card, objections in the editor's order.
    await editor.bar.getByRole("link", { name: "Rep view" }).click();
    await expect(page).toHaveURL(`/cards/${cardId}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(title);
    await expect(page.locator("details.objection > summary")).toHaveText(reordered.map((o) => o.objection));
    await expect(page.locator("#section-pricing strong")).toHaveText("$109 per seat");
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await expect(page).toHaveURL(`/cards/${cardId}/edit`);

    // The history: three versions, the newest published, and what changed in it.
    await editor.bar.getByRole("link", { name: "History" }).click();
    await expect(page).toHaveURL(`/cards/${cardId}/history`);
    await waitForHydration(page);
    await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();
    const versions = page.getByRole("region", { name: "Versions" }).getByRole("listitem");
    await expect(versions).toHaveCount(3);
    await expect(versions.nth(0)).toContainText("Version 3");
    await expect(versions.nth(0)).toContainText("Published");
    await expect(versions.nth(0)).toContainText("Current");
    await expect(versions.nth(0)).toContainText(ADMIN.name);
    await expect(versions.nth(1)).toContainText("Version 2");
    await expect(versions.nth(2)).toContainText("Version 1");
    const changes = page.getByRole("region", { name: "Changes" });
    await expect(changes).toContainText("Version 2 → version 3");
    await expect(changes.getByRole("heading", { name: "Pricing" })).toBeVisible();
    await expect(changes.getByRole("heading", { name: "Overview" })).toHaveCount(0);
    const diff = changes.getByRole("table", { name: "Changed lines" });
    await expect(diff.getByRole("row").filter({ has: page.getByRole("cell", { name: "Added" }) })).toContainText("$109 per seat");
    await expect(diff.getByRole("row").filter({ has: page.getByRole("cell", { name: "Removed" }) })).toContainText("$99 per seat");

    // Picking two versions in the form compares them: from version 1, the whole card is new.
    await changes.getByLabel("From", { exact: true }).selectOption({ label: "v1" });
    await changes.getByRole("button", { name: "Compare" }).click();
    await expect(page).toHaveURL(`/cards/${cardId}/history?from=1&to=3`);
    await expect(changes).toContainText("Version 1 → version 3");
    await expect(changes.getByRole("heading", { name: "Overview" })).toBeVisible();

    // "Compare with current" next to a version does the same.
    await versions.nth(1).getByRole("link", { name: "Compare with current" }).click();
    await expect(page).toHaveURL(`/cards/${cardId}/history?from=2&to=3`);
    await expect(changes).toContainText("Version 2 → version 3");
    await expect(changes.getByRole("heading", { name: "Overview" })).toHaveCount(0);
  });

  test("markup typed into a section never runs, in the preview or for reps", async ({ page }) => {
    const dialogs: string[] = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });
    const name = uniqueCompetitor("Hostile");
    const competitorId = await createCompetitor(page, { name });
    const cardId = await createCard(page, competitorId, `${name} card`);
    const editor = new Editor(page);

    const hostile = [
      "<img src=x onerror=alert(1)>",
      "",
      "<script>alert(1)</script>",
      "",
      'Inline <img src=x onerror="alert(2)"> and <a href="javascript:alert(3)">a link</a>.',
      "",
      "**preview-updated**",
    ].join("\n");
    await editor.section("Overview").fill(hostile);
    const preview = editor.preview("Overview");
    // The preview has caught up with the text…
    await expect(preview.locator("strong")).toHaveText("preview-updated");
    // …and holds no image, no script, no event handler and no javascript: link.
    await expect(preview.locator("img")).toHaveCount(0);
    await expect(preview.locator("script")).toHaveCount(0);
    await expect(preview.locator("[onerror]")).toHaveCount(0);
    await expect(preview.locator('a[href^="javascript:"]')).toHaveCount(0);
    await expect(page.locator("main img[src='x']")).toHaveCount(0);

    // Saved and published, the rep view is just as harmless.
    await editor.save();
    await editor.publish();
    await open(page, `/cards/${cardId}`);
    const overview = page.locator("#section-overview");
    await expect(overview.locator("strong")).toHaveText("preview-updated");
    await expect(overview.locator("img")).toHaveCount(0);
    await expect(overview.locator("script")).toHaveCount(0);
    await expect(page.locator("main [onerror]")).toHaveCount(0);
    await expect(page.locator('main a[href^="javascript:"]')).toHaveCount(0);

    // Give any injected handler time to fire, then make sure none did.
    await page.waitForTimeout(500);
    expect(dialogs, "no alert (or other dialog) was opened by the typed markup").toEqual([]);
  });
});
