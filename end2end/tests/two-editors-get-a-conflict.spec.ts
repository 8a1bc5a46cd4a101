// Two editors have the same card open. The first saves; the second, saving on top of
// the version they opened, gets the conflict screen instead of overwriting: both
// texts side by side, the parts only one of them changed merged already. The second
// editor writes the merged text and saves it; nothing either of them wrote is lost.
import { expect, test } from "./support/fixtures";

import { ADMIN, ADMIN_STATE, DESKTOP, PHONE, newPerson, open, signIn, uniqueId } from "./support/app";
import { Editor, createPersonViaApi, prepareCard, screenOnly } from "./support/cards";

// The conflict screen is a chunk of its own, loaded when a save conflicts: on a phone too.
for (const [screen, viewport, hasTouch] of [["desktop", DESKTOP, false], ["phone", PHONE, true]] as const) {
  test.describe(`on a ${screen}`, () => {
    screenOnly(screen);

    test("the second of two editors saving the same card merges instead of overwriting", async ({ browser }) => {
      const card = await prepareCard(browser, {
        title: `Shared card ${uniqueId()}`,
        sections: { Overview: "Acme sells a CRM.", Pricing: "From $99 per seat." },
        objections: [{ objection: "Acme is cheaper.", answer: "Count the onboarding weeks." }],
      });
      const bea = await createPersonViaApi(newPerson("editor", "editor"));

      // Ada (the admin) and Bea (an editor) open the same version of the card.
      const adaContext = await browser.newContext({ storageState: ADMIN_STATE, viewport, hasTouch });
      const beaContext = await browser.newContext({ viewport, hasTouch });
      try {
        const ada = await adaContext.newPage();
        const beaPage = await beaContext.newPage();
        await signIn(beaPage, bea.email, bea.password);
        await open(ada, `/cards/${card.cardId}/edit`);
        await open(beaPage, `/cards/${card.cardId}/edit`);
        const adaEditor = new Editor(ada);
        const beaEditor = new Editor(beaPage);
        const opened = await adaEditor.version();
        expect(await beaEditor.version()).toBe(opened);

        // Ada changes the pricing and the overview, and saves first.
        const adaPricing = "From $109 per seat since March.";
        const adaOverview = "Acme sells a CRM and, since May, a help desk.";
        await adaEditor.section("Pricing").fill(adaPricing);
        await adaEditor.section("Overview").fill(adaOverview);
        expect(await adaEditor.save()).toBe(opened + 1);

        // Bea changes the pricing differently, and a section Ada did not touch.
        const beaPricing = "From $99 per seat; 15 % off for two-year deals.";
        const beaStrengths = "Large partner network.";
        await beaEditor.section("Pricing").fill(beaPricing);
        await beaEditor.section("Strengths").fill(beaStrengths);
        await expect(beaEditor.savedState).toHaveText("Unsaved changes");
        await beaEditor.bar.getByRole("button", { name: "Save", exact: true }).click();

        // The conflict screen: both pricing texts, nothing saved yet.
        const conflict = beaPage.getByRole("alert").filter({ has: beaPage.getByRole("heading", { name: "Someone else saved this card" }) });
        await expect(conflict).toBeVisible();
        await expect(conflict).toContainText(`${ADMIN.name} saved version ${opened + 1}`);
        await expect(conflict).toContainText("1 part changed on both sides");
        await expect(conflict).toContainText("Kept from their version: Overview");
        await expect(conflict.getByRole("heading", { name: "Pricing" })).toBeVisible();
        await expect(conflict.locator("pre.conflict-text.theirs")).toHaveText(adaPricing);
        await expect(conflict.locator("pre.conflict-text.mine")).toHaveText(beaPricing);
        const merged = conflict.getByLabel("Merged text to save");
        await expect(merged).toHaveValue(beaPricing);
        await conflict.getByRole("button", { name: "Use theirs" }).click();
        await expect(merged).toHaveValue(adaPricing);
        const mergedPricing = "From $109 per seat since March; 15 % off for two-year deals.";
        await merged.fill(mergedPricing);
        await conflict.getByRole("button", { name: "Save merged version" }).click();

        // Back in the editor, on the merged version, with everyone's changes.
        await expect(conflict).toHaveCount(0);
        await expect(beaEditor.savedState).toHaveText(new RegExp(`^Version ${opened + 2} · saved by you`));
        await expect(beaEditor.section("Pricing")).toHaveValue(mergedPricing);
        await expect(beaEditor.section("Overview")).toHaveValue(adaOverview);
        await expect(beaEditor.section("Strengths")).toHaveValue(beaStrengths);
        await expect(beaEditor.objectionText(0)).toHaveValue("Acme is cheaper.");
        // The previews show the merged text, not the version the editor was opened on.
        await expect(beaEditor.preview("Pricing")).toHaveText(mergedPricing);
        await expect(beaEditor.preview("Overview")).toHaveText(adaOverview);
        await expect(beaEditor.preview("Strengths")).toHaveText(beaStrengths);

        // What is stored is the same for Ada after a reload.
        await ada.reload();
        await expect(adaEditor.savedState).toHaveText(new RegExp(`^Version ${opened + 2} · saved by ${bea.name}`));
        await expect(adaEditor.section("Pricing")).toHaveValue(mergedPricing);
        await expect(adaEditor.section("Overview")).toHaveValue(adaOverview);
        await expect(adaEditor.section("Strengths")).toHaveValue(beaStrengths);

        // The history lists both saves, by each of them; Ada's own version is intact.
        await open(ada, `/cards/${card.cardId}/history`);
        const versions = ada.getByRole("region", { name: "Versions" }).getByRole("listitem");
        await expect(versions).toHaveCount(opened + 2);
        await expect(versions.nth(0)).toContainText(`Version ${opened + 2}`);
        await expect(versions.nth(0)).toContainText(bea.name);
        await expect(versions.nth(1)).toContainText(`Version ${opened + 1}`);
        await expect(versions.nth(1)).toContainText(ADMIN.name);
        await open(ada, `/cards/${card.cardId}/history?from=${opened}&to=${opened + 1}`);
        const changes = ada.getByRole("region", { name: "Changes" });
        await expect(changes).toContainText(`Version ${opened} → version ${opened + 1}`);
        await expect(changes.getByRole("heading", { name: "Pricing" })).toBeVisible();
        await expect(changes).toContainText(adaPricing);
        await expect(changes).toContainText(adaOverview);
      } finally {
        await adaContext.close();
        await beaContext.close();
      }
    });

    test("discarding one's own changes on the conflict screen takes the other editor's version", async ({ browser }) => {
      const card = await prepareCard(browser, {
        title: `Shared card ${uniqueId()}`,
        sections: { Pricing: "From $99 per seat." },
      });
      const first = await browser.newContext({ storageState: ADMIN_STATE, viewport, hasTouch });
      const second = await browser.newContext({ storageState: ADMIN_STATE, viewport, hasTouch });
      try {
        const a = await first.newPage();
        const b = await second.newPage();
        await open(a, `/cards/${card.cardId}/edit`);
        await open(b, `/cards/${card.cardId}/edit`);
        const aEditor = new Editor(a);
        const bEditor = new Editor(b);
        const opened = await aEditor.version();

        await aEditor.section("Pricing").fill("From $120 per seat.");
        await aEditor.save();
        await bEditor.section("Pricing").fill("From $80 per seat.");
        await bEditor.section("Pricing").press("ControlOrMeta+s");

        await expect(b.getByRole("heading", { name: "Someone else saved this card" })).toBeVisible();
        await b.getByRole("button", { name: "Discard my changes" }).click();
        await expect(b.getByRole("heading", { name: "Someone else saved this card" })).toHaveCount(0);
        await expect(bEditor.section("Pricing")).toHaveValue("From $120 per seat.");
        await expect(bEditor.savedState).toHaveText(new RegExp(`^Version ${opened + 1} · saved by ${ADMIN.name}`));

        // Nothing was saved by discarding.
        await open(b, `/cards/${card.cardId}/history`);
        await expect(b.getByRole("region", { name: "Versions" }).getByRole("listitem")).toHaveCount(opened + 1);
      } finally {
        await first.close();
        await second.close();
      }
    });
  });
}
