// Shared steps for the competitor and battlecard tests: adding a competitor, creating
// a card, writing its sections and objections in the editor, saving, publishing, and
// preparing a whole published card "behind the scenes" for tests about reading it.
import { request as playwrightRequest, type Browser, type Locator, type Page } from "@playwright/test";

import { expect, test } from "./fixtures";
import { ADMIN_STATE, DESKTOP, PHONE, asAdmin, open, uniqueId, waitForHydration, type Person } from "./app";

/**
 * Runs the calling describe block only at one screen size. The config has a single
 * browser project (its viewport is the desktop default), so the block sets the
 * viewport itself; should the config ever get a project per screen size (named
 * "…phone…"/"…mobile…" and "…desktop…"), the block is skipped in the other one.
 */
export function screenOnly(screen: "desktop" | "phone"): void {
  test.use(screen === "phone" ? { viewport: PHONE, hasTouch: true } : { viewport: DESKTOP });
  test.beforeEach(({}, testInfo) => {
    const name = testInfo.project.name.toLowerCase();
    const other = screen === "phone" ? /desktop/ : /phone|mobile/;
    testInfo.skip(other.test(name), `${screen} only`);
  });
}

export interface CompetitorInput {
  name: string;
  website?: string;
  description?: string;
  tags?: string;
  keywords?: string;
}

/** A competitor name no other test uses. */
export function uniqueCompetitor(prefix = "Acme"): string {
  return `${prefix} ${uniqueId()}`;
}

/**
 * A made-up word that exists nowhere else in the database (letters and digits only,
 * so the search treats it as one word).
 */
export function uniqueWord(prefix: string): string {
  return `${prefix}${uniqueId()}`.toLowerCase();
}

/** On any page: "New competitor" form → the new competitor's page. Returns its id. */
export async function createCompetitor(page: Page, competitor: CompetitorInput): Promise<string> {
  await open(page, "/competitors/new");
  await expect(page.getByRole("heading", { name: "New competitor", level: 1 })).toBeVisible();
  await fillCompetitorForm(page, competitor);
  await page.getByRole("button", { name: "Add competitor" }).click();
  return competitorPageId(page, competitor.name);
}

/** Fills the competitor form's fields that `competitor` names. */
export async function fillCompetitorForm(page: Page, competitor: CompetitorInput): Promise<void> {
  await page.getByLabel("Name", { exact: true }).fill(competitor.name);
  if (competitor.website !== undefined) await page.getByLabel("Website", { exact: true }).fill(competitor.website);
  if (competitor.description !== undefined) await page.getByLabel("Description", { exact: true }).fill(competitor.description);
  if (competitor.tags !== undefined) await page.getByLabel("Tags", { exact: true }).fill(competitor.tags);
  if (competitor.keywords !== undefined) await page.getByLabel("Monitoring keywords", { exact: true }).fill(competitor.keywords);
}

/** Waits for the competitor page of `name` (loaded and hydrated) and returns its id (from the address). */
export async function competitorPageId(page: Page, name: string): Promise<string> {
  await expect(page).toHaveURL(/\/competitors\/(?!new$)[^/?#]+$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  // The form's answer loads the competitor page anew: wait until its islands answer.
  await waitForHydration(page);
  return new URL(page.url()).pathname.split("/")[2];
}

/** On a competitor page: "New battlecard title" → the new card's editor (hydrated). Returns the card's id. */
export async function createCard(page: Page, competitorId: string, title: string): Promise<string> {
  if (new URL(page.url()).pathname !== `/competitors/${competitorId}`) {
    await open(page, `/competitors/${competitorId}`);
  }
  await page.getByLabel("New battlecard title").fill(title);
  await page.getByRole("button", { name: "Create battlecard" }).click();
  await expect(page).toHaveURL(/\/cards\/[^/]+\/edit$/);
  // The editor is a new page; its fields answer once it is hydrated.
  await waitForHydration(page);
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);
  return new URL(page.url()).pathname.split("/")[2];
}

/** The parts of the card editor a person looks at and uses. */
export class Editor {
  constructor(readonly page: Page) {}

  /** The toolbar with the status badge, the saved state and the status buttons. */
  get bar(): Locator {
    return this.page.getByRole("region", { name: "Card status and saving" });
  }

  /** "Version N · saved by …", "Unsaved changes" or "Saving…". */
  get savedState(): Locator {
    return this.bar.getByRole("status");
  }

  /** A Markdown section's text area, by its label ("Overview", "Pricing", …). */
  section(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** The live preview next to a section's text area. */
  preview(label: string): Locator {
    return this.page
      .locator(".md-field")
      .filter({ has: this.page.getByLabel(label, { exact: true }) })
      .getByRole("region", { name: "Preview" });
  }

  /** The objection rows, in the order the card shows them. */
  get objectionRows(): Locator {
    return this.page.locator("li.objection-row");
  }

  objectionText(index: number): Locator {
    return this.objectionRows.nth(index).getByLabel("Objection", { exact: true });
  }

  objectionAnswer(index: number): Locator {
    return this.objectionRows.nth(index).getByLabel("Answer", { exact: true });
  }

  /** Adds an objection at the end and fills it in. Returns its id (`objection-<id>` is the row's id). */
  async addObjection(objection: string, answer: string): Promise<string> {
    const before = await this.objectionRows.count();
    await this.page.getByRole("button", { name: "Add objection" }).click();
    await expect(this.objectionRows).toHaveCount(before + 1);
    await this.objectionText(before).fill(objection);
    await this.objectionAnswer(before).fill(answer);
    const id = await this.objectionRows.nth(before).getAttribute("id");
    expect(id, "each objection row carries its id").toMatch(/^objection-.+/);
    return (id as string).slice("objection-".length);
  }

  /** The version number the saved-state text shows ("Version N · saved by …"). */
  async version(): Promise<number> {
    await expect(this.savedState).toHaveText(/^Version \d+ · saved by /);
    const text = (await this.savedState.textContent()) ?? "";
    return Number(/^Version (\d+)/.exec(text)?.[1]);
  }

  /** Clicks Save and waits until the saved state names the next version. Returns it. */
  async save(): Promise<number> {
    await expect(this.savedState).toHaveText("Unsaved changes");
    await this.bar.getByRole("button", { name: "Save", exact: true }).click();
    await expect(this.savedState).toHaveText(/^Version \d+ · saved by you/);
    return this.version();
  }

  /** Clicks a status button ("Publish", "Send to review", …). */
  async setStatus(action: "Publish" | "Send to review" | "Archive" | "Back to draft", badge: string): Promise<void> {
    await this.bar.getByRole("button", { name: action, exact: true }).click();
    await expect(this.bar.getByText(badge, { exact: true })).toBeVisible();
  }

  async publish(): Promise<void> {
    await this.setStatus("Publish", "Published");
    await expect(this.bar).toContainText("Reps see this version.");
  }
}

export interface CardInput {
  title: string;
  summary?: string;
  /** Section label → Markdown, e.g. { Overview: "…", Pricing: "…" }. */
  sections?: Record<string, string>;
  objections?: { objection: string; answer: string }[];
  publish?: boolean;
}

export interface PreparedCard {
  competitorId: string;
  competitorName: string;
  cardId: string;
  title: string;
  /** The objections' ids, in order. */
  objectionIds: string[];
}

/** In the editor of a new card: writes `card`'s contents, saves, and publishes if asked. */
export async function writeCard(page: Page, card: CardInput): Promise<string[]> {
  const editor = new Editor(page);
  if (card.summary !== undefined) await page.getByLabel("One-line summary").fill(card.summary);
  for (const [label, text] of Object.entries(card.sections ?? {})) {
    await editor.section(label).fill(text);
  }
  const ids: string[] = [];
  for (const o of card.objections ?? []) {
    ids.push(await editor.addObjection(o.objection, o.answer));
  }
  const written = card.summary !== undefined || Object.keys(card.sections ?? {}).length > 0 || ids.length > 0;
  if (written) await editor.save();
  if (card.publish) await editor.publish();
  return ids;
}

/**
 * Has the admin (in a context of its own) add a competitor and a card with the given
 * contents: for tests about reading, searching or exporting a card.
 */
export async function prepareCard(browser: Browser, card: CardInput, competitorName = uniqueCompetitor()): Promise<PreparedCard> {
  return asAdmin(browser, async (page) => {
    const competitorId = await createCompetitor(page, { name: competitorName, tags: "e2e" });
    const cardId = await createCard(page, competitorId, card.title);
    const objectionIds = await writeCard(page, card);
    return { competitorId, competitorName, cardId, title: card.title, objectionIds };
  });
}

/**
 * Has the admin add `person` through the server function behind the Users page
 * (`POST /api/admin/create_user`), with the admin's session. Faster than the page;
 * the page itself is covered by the admin tests.
 */
export async function createPersonViaApi(person: Person): Promise<Person> {
  const api = await playwrightRequest.newContext({
    baseURL: process.env.BASE_URL,
    storageState: ADMIN_STATE,
    extraHTTPHeaders: { "Sec-Fetch-Site": "same-origin" },
  });
  try {
    const response = await api.post("/api/admin/create_user", {
      form: { name: person.name, email: person.email, role: person.role, password: person.password },
    });
    expect(response.ok(), `creating ${person.email}: ${response.status()} ${await response.text()}`).toBe(true);
  } finally {
    await api.dispose();
  }
  return person;
}

/** Whether the page scrolls sideways (it must not, down to 375 px). */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: (document.scrollingElement ?? document.documentElement).scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

/** Fails with the widest elements named when the page is wider than the screen. */
export async function expectNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  if (scrollWidth > innerWidth + 1) {
    const culprits = await page.evaluate((limit) => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll("body *"))) {
        const r = el.getBoundingClientRect();
        if (r.right > limit + 1 && r.width > 0) {
          const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
          out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${cls} right=${Math.round(r.right)}`);
        }
        if (out.length >= 10) break;
      }
      return out;
    }, innerWidth);
    expect(scrollWidth, `${what} scrolls sideways at ${innerWidth} px; elements past the edge:\n${culprits.join("\n")}`).toBeLessThanOrEqual(innerWidth + 1);
  }
}
