// An editor gives a competitor some sources, has the AI draft the battlecard, follows
// a claim to the exact words it came from, and accepts the draft as a new version.
// A second draft from the (local, stand-in) OpenAI-compatible model invents a quote:
// the editor watches its progress bar, sees the claim marked unverified, and cannot
// publish until they explicitly override. Meanwhile a rep reading the card shows up
// as present in the editor, and the editor in the rep view.
import type { Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";
import { ADMIN, ADMIN_STATE, DESKTOP, PHONE, newPerson, open, signIn, uniqueId, waitForHydration } from "./support/app";
import { Editor, createCard, createCompetitor, createPersonViaApi, expectNoHorizontalScroll, screenOnly } from "./support/cards";

const NOTES = [
  {
    title: "Pricing page",
    text: "Starter costs $25 per user per month, billed annually.\nPro costs $65 per user per month and adds SSO.\nEvery plan starts with a 14-day free trial.",
  },
  {
    title: "Reviews of Acme",
    text: "Customer support is slow to respond; one team waited four days for an answer.\nReporting is limited unless you pay for the Enterprise plan.\nThe mobile app is excellent and easy to set up.",
  },
  {
    title: "Features page",
    text: "Acme integrates with more than 200 apps, including Slack and Gmail.\nMore than 12,000 companies run their sales process on Acme.\nReal-time dashboards show pipeline value by rep.",
  },
];

async function addNote(page: Page, title: string, text: string): Promise<void> {
  const sources = page.getByRole("region", { name: "Sources" });
  const note = sources.locator("details.source-note");
  if (!(await note.evaluate((d: HTMLDetailsElement) => d.open))) await note.locator("summary").click();
  await note.getByLabel("Title", { exact: true }).fill(title);
  await note.getByLabel("Text", { exact: true }).fill(text);
  await note.getByRole("button", { name: "Add note" }).click();
  await expect(sources.locator("li.source").filter({ hasText: title })).toContainText("Ready");
}

/** Asks for a draft in the editor's AI panel; returns the panel. */
async function askForDraft(page: Page, provider?: string) {
  const panel = page.getByRole("region", { name: "Draft with AI" });
  if (provider) await panel.getByLabel("Provider for this request").selectOption({ label: provider });
  await panel.getByRole("button", { name: "Draft the whole card" }).click();
  return panel;
}

test.describe("on a desktop", () => {
  screenOnly("desktop");

  test("an editor drafts a card with AI, checks its sources, and publishes unverified claims only by override", async ({ browser }) => {
    const context = await browser.newContext({ storageState: ADMIN_STATE, viewport: DESKTOP });
    const repContext = await browser.newContext({ viewport: PHONE, hasTouch: true });
    try {
      const page = await context.newPage();
      const competitor = `Acme ${uniqueId()}`;
      const competitorId = await createCompetitor(page, { name: competitor });
      for (const note of NOTES) await addNote(page, note.title, note.text);
      const cardId = await createCard(page, competitorId, `${competitor} battlecard`);
      const editor = new Editor(page);

      // Draft with the built-in engine: the job ends with a link to the review.
      let panel = await askForDraft(page);
      await expect(panel.locator(".job")).toContainText("every citation checked against its page");
      await panel.getByRole("link", { name: "Review the draft" }).click();
      await expect(page.getByRole("heading", { name: "AI draft", level: 1 })).toBeVisible();
      await waitForHydration(page);
      await expect(page.locator(".claim-summary")).toContainText("Every citation was found in its stored page.");
      const pricingClaim = page.locator("li.claim").filter({ hasText: "$25 per user per month" }).first();
      await expect(pricingClaim.getByText("Verified", { exact: true })).toBeVisible();

      // The claim's source: the quote, and the stored page with those words highlighted.
      const citation = pricingClaim.locator("details.citation").first();
      await citation.locator("summary").click();
      const quote = (await citation.locator("blockquote").textContent()) ?? "";
      expect(quote).toContain("$25 per user per month");
      await citation.getByRole("link", { name: "Open the page with these words highlighted" }).click();
      await expect(page.getByRole("heading", { name: "Pricing page", level: 1 })).toBeVisible();
      await expect(page.locator("mark#cited")).toHaveText(quote);
      await page.goBack();
      await expect(page.getByRole("heading", { name: "AI draft", level: 1 })).toBeVisible();
      await waitForHydration(page);

      // Accepting makes the next version of the card.
      await page.getByRole("button", { name: "Accept as new version" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Accepted as a new version" })).toBeVisible();
      await page.getByRole("link", { name: "Open the editor" }).click();
      await expect(page).toHaveURL(`/cards/${cardId}/edit`);
      // The editor answers input (the AI panel below) once its page is hydrated.
      await waitForHydration(page);
      await expect(editor.section("Pricing")).toHaveValue(/\$25 per user per month/);
      await expect(editor.section("Weaknesses")).toHaveValue(/Customer support is slow to respond/);
      await expect(page.locator(".unverified-warning")).toHaveCount(0);

      // A second draft from the OpenAI-compatible model: a real progress bar while it thinks.
      panel = await askForDraft(page, "OpenAI-compatible (configured model)");
      const job = panel.locator(".job");
      await expect(job.locator("progress")).toBeVisible();
      await expect(job.locator(".job-step")).toContainText("Drafting from 3 sources");
      expect(Number(await job.locator("progress").getAttribute("value"))).toBeGreaterThanOrEqual(20);
      await expect(job).toContainText("1 could not be verified", { timeout: 20_000 });
      await expect(job.locator("progress")).toHaveCount(0);
      await panel.getByRole("link", { name: "Review the draft" }).click();

      // The invented quote is marked and explained; the real one checks out.
      await expect(page.locator(".claim-summary")).toContainText("1 could not be verified");
      await waitForHydration(page);
      const invented = page.locator("li.claim.unverified");
      await expect(invented).toHaveCount(1);
      await expect(invented).toContainText("lifetime free plan");
      await invented.locator("details.citation summary").click();
      await expect(invented).toContainText("These words are not in the stored page.");
      await page.getByRole("button", { name: "Accept as new version" }).click();
      await page.getByRole("link", { name: "Open the editor" }).click();
      await expect(page).toHaveURL(`/cards/${cardId}/edit`);
      await waitForHydration(page);

      // Publishing is refused until the editor overrides.
      await expect(page.locator(".unverified-warning")).toContainText("1 AI claim on this version could not be verified.");
      await editor.bar.getByRole("button", { name: "Publish", exact: true }).click();
      await expect(page.getByRole("alert").filter({ hasText: "could not be verified" })).toBeVisible();
      await expect(editor.bar.getByText("Published", { exact: true })).toHaveCount(0);
      await editor.bar.getByLabel("Publish with unverified claims").check();
      await editor.publish();

      // A rep opens the published card on a phone: each sees the other.
      const rep = await createPersonViaApi(newPerson("rep", "viewer"));
      const repPage = await repContext.newPage();
      await signIn(repPage, rep.email, rep.password);
      await open(repPage, `/cards/${cardId}`);
      await expect(repPage.getByTestId("presence")).toContainText(`${ADMIN.name} is editing`);
      await expect(page.getByTestId("presence")).toContainText(`${rep.name} is viewing`);
      await repPage.close();
      await expect(page.getByTestId("presence")).not.toContainText(`${rep.name} is viewing`);
    } finally {
      await repContext.close();
      await context.close();
    }
  });
});

test.describe("on a phone", () => {
  screenOnly("phone");

  test("the draft review fits a 375 px screen and a citation opens with a tap", async ({ browser }) => {
    const admin = await browser.newContext({ storageState: ADMIN_STATE, viewport: DESKTOP });
    const editorPerson = await createPersonViaApi(newPerson("drafter", "editor"));
    const phone = await browser.newContext({ viewport: PHONE, hasTouch: true });
    try {
      const setup = await admin.newPage();
      const competitor = `Acme ${uniqueId()}`;
      const competitorId = await createCompetitor(setup, { name: competitor });
      for (const note of NOTES) await addNote(setup, note.title, note.text);

      const page = await phone.newPage();
      await signIn(page, editorPerson.email, editorPerson.password);
      await open(page, `/competitors/${competitorId}`);
      await createCard(page, competitorId, `${competitor} card`);
      const panel = await askForDraft(page);
      await expect(panel.getByLabel("Provider for this request"), "only admins choose the provider").toHaveCount(0);
      await expect(panel.locator(".job")).toContainText("every citation checked against its page");
      await expectNoHorizontalScroll(page, "the editor with the AI panel's finished job");
      await panel.getByRole("link", { name: "Review the draft" }).click();
      await expect(page.getByRole("heading", { name: "AI draft", level: 1 })).toBeVisible();
      await waitForHydration(page);
      await expectNoHorizontalScroll(page, "the draft review");
      const citation = page.locator("details.citation").first();
      await citation.locator("summary").tap();
      await expect(citation.locator("blockquote")).toBeVisible();
      await open(page, "/jobs");
      await expect(page.locator(".job").first()).toContainText("Draft the whole card");
      await expectNoHorizontalScroll(page, "the jobs page");
    } finally {
      await phone.close();
      await admin.close();
    }
  });
});
