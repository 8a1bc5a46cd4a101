// A rep on a phone downloads only the code the page in front of them needs before it
// answers a tap. Pages are rendered by the server; only their interactive parts are
// islands, and each larger island is a WASM chunk of its own (`#[island(lazy)]`,
// `cargo leptos build --split`): a page fetches the common code plus the chunks of the
// islands it shows, each hinted by the server. For each page, opened by a deep link in
// a fresh browser (nothing cached), this sums the WASM Chromium downloaded before the
// page was interactive (requested before the page marked itself hydrated; a part
// whose code is fetched after that, like the editor's AI panel, does not count), gzip
// -9, and compares it with the budget: 250 KiB
// for the sign-in page and the rep view, 400 KiB for every other page. A page fails
// the test if it grows past its budget (or, for a page listed in `CEILING`, past the
// size it had when that was set).
// A page reached by a link then fetches its islands' chunks, and they work.
//
// BUNDLE_REPORT=<file> also writes the figures as a Markdown table (bench/bundle.sh).
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import type { Browser, Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";

import { ADMIN_STATE, DESKTOP, PHONE, navigateTo, waitForHydration, watchConsole } from "./support/app";
import { prepareCard, uniqueWord } from "./support/cards";

const KIB = 1024;
const PHONE_PAGE_BUDGET = 250 * KIB;
const PAGE_BUDGET = 400 * KIB;
/** Pages over budget: what they download now, plus 2 %. None: every page meets its budget. */
const CEILING: Record<string, number> = {};

interface Download {
  url: string;
  bytes: number;
  gzip: number;
}

/** Opens `path` in a fresh context and returns the WASM fetched before hydration. */
async function wasmBeforeInteractive(browser: Browser, path: string, signedIn: boolean): Promise<Download[]> {
  const context = await browser.newContext({
    storageState: signedIn ? ADMIN_STATE : undefined,
    viewport: PHONE,
  });
  try {
    const page = await context.newPage();
    const errors = watchConsole(page);
    const pending: Promise<Download>[] = [];
    page.on("response", (response) => {
      if (!new URL(response.url()).pathname.endsWith(".wasm")) return;
      pending.push(
        response.body().then((body) => ({
          url: new URL(response.url()).pathname,
          bytes: body.length,
          gzip: gzipSync(body, { level: 9 }).length,
        })),
      );
    });
    const response = await page.goto(path);
    expect(response?.status(), `${path} answers`).toBe(200);
    await waitForHydration(page);
    // The WASM the browser asked for before the page was interactive (islands.js marks
    // the moment): the resource timings say when each fetch started.
    const before = await page.evaluate(() => {
      const hydrated = performance.getEntriesByName("outrival:hydrated")[0]?.startTime ?? Infinity;
      return performance
        .getEntriesByType("resource")
        .filter((r) => r.startTime < hydrated)
        .map((r) => new URL(r.name).pathname);
    });
    const downloads = (await Promise.all(pending)).filter((d) => before.includes(d.url));
    expect(errors, `console errors on ${path}`).toEqual([]);
    // The server names every chunk the page needs, once, so the browser fetches them
    // while the main module is still compiling.
    const hints = await page.$$eval('link[rel="preload"][as="fetch"]', (links) =>
      links.map((link) => new URL((link as HTMLLinkElement).href).pathname),
    );
    expect(hints.length, `${path}: each chunk hinted once`).toBe(new Set(hints).size);
    const chunks = downloads.map((d) => d.url).filter((url) => !url.endsWith("/outrival.wasm"));
    expect(chunks.filter((url) => !hints.includes(url)), `${path}: chunks fetched without a hint`).toEqual([]);
    if (chunks.length > 0) {
      const loader = page.locator('link[rel="modulepreload"][href*="__wasm_split"]');
      expect(await loader.count(), `${path}: the split loader is hinted once`).toBe(1);
    }
    return downloads;
  } finally {
    await context.close();
  }
}

function kib(bytes: number): string {
  return `${(bytes / KIB).toFixed(1)} KiB`;
}

test.describe("the browser bundle", () => {
  test.describe.configure({ mode: "serial" });
  test.use({ viewport: DESKTOP });

  test("every page downloads no more WASM before it answers input than its budget (or its size at the split)", async ({ browser }) => {
    test.setTimeout(180_000);
    const card = await prepareCard(browser, {
      title: "Winning against Acme",
      summary: "Lead with onboarding time.",
      sections: { Overview: "Acme sells a CRM to **mid-sized** teams." },
      objections: [{ objection: "Acme is cheaper.", answer: "Count the **six weeks** of services." }],
      publish: true,
    });
    const pages: { name: string; path: string; signedIn: boolean; budget: number }[] = [
      { name: "sign-in", path: "/login", signedIn: false, budget: PHONE_PAGE_BUDGET },
      { name: "rep view", path: `/cards/${card.cardId}`, signedIn: true, budget: PHONE_PAGE_BUDGET },
      { name: "sign-up", path: "/signup", signedIn: false, budget: PAGE_BUDGET },
      { name: "dashboard", path: "/", signedIn: true, budget: PAGE_BUDGET },
      { name: "competitors", path: "/competitors", signedIn: true, budget: PAGE_BUDGET },
      { name: "competitor page", path: `/competitors/${card.competitorId}`, signedIn: true, budget: PAGE_BUDGET },
      { name: "new competitor", path: "/competitors/new", signedIn: true, budget: PAGE_BUDGET },
      { name: "card editor", path: `/cards/${card.cardId}/edit`, signedIn: true, budget: PAGE_BUDGET },
      { name: "card history", path: `/cards/${card.cardId}/history`, signedIn: true, budget: PAGE_BUDGET },
      { name: "search", path: `/search?q=${uniqueWord("acme")}`, signedIn: true, budget: PAGE_BUDGET },
      { name: "jobs", path: "/jobs", signedIn: true, budget: PAGE_BUDGET },
      { name: "account", path: "/account", signedIn: true, budget: PAGE_BUDGET },
      { name: "users (admin)", path: "/admin/users", signedIn: true, budget: PAGE_BUDGET },
      { name: "invitations (admin)", path: "/admin/invitations", signedIn: true, budget: PAGE_BUDGET },
      { name: "audit log (admin)", path: "/admin/audit", signedIn: true, budget: PAGE_BUDGET },
      { name: "AI settings (admin)", path: "/admin/ai", signedIn: true, budget: PAGE_BUDGET },
    ];
    const rows: string[] = [];
    const over: string[] = [];
    for (const { name, path, signedIn, budget } of pages) {
      const downloads = await wasmBeforeInteractive(browser, path, signedIn);
      expect(downloads.length, `${name}: WASM was downloaded`).toBeGreaterThan(0);
      const gzip = downloads.reduce((sum, d) => sum + d.gzip, 0);
      const raw = downloads.reduce((sum, d) => sum + d.bytes, 0);
      const limit = Math.max(budget, CEILING[name] ?? 0);
      rows.push(`| ${name} | ${downloads.length} | ${kib(raw)} | ${kib(gzip)} | ${kib(budget)} | ${gzip <= budget ? "met" : "OVER"} |`);
      if (gzip > limit) over.push(`${name}: ${kib(gzip)} > ${kib(limit)} (${downloads.map((d) => `${d.url} ${kib(d.gzip)}`).join(", ")})`);
    }
    const table = ["| page | files | WASM | gzip -9 | budget | |", "|---|---:|---:|---:|---:|---|", ...rows].join("\n");
    console.log(`WASM each page needs before it answers input:\n${table}`);
    if (process.env.BUNDLE_REPORT) writeFileSync(process.env.BUNDLE_REPORT, `${table}\n`);
    expect(over, "pages that grew past their budget (or, not met yet, past their size at the split)").toEqual([]);
  });

  test("a page reached by a link fetches the code of its own islands, and they work", async ({ browser }) => {
    const context = await browser.newContext({ storageState: ADMIN_STATE, viewport: PHONE });
    try {
      const page: Page = await context.newPage();
      const errors = watchConsole(page);
      await page.goto("/account");
      await waitForHydration(page);
      const fetched: string[] = [];
      page.on("response", (response) => {
        const path = new URL(response.url()).pathname;
        if (path.endsWith(".wasm")) fetched.push(path);
      });

      // Every link loads the next page from the server; a new competitor's page then
      // fetches the chunk of its sources panel, and the panel answers in place.
      await navigateTo(page, "Competitors", "/competitors");
      await expect(page.getByRole("heading", { name: "Competitors", level: 1 })).toBeVisible();
      const name = uniqueWord("Nobody");
      await page.getByRole("link", { name: "New competitor" }).first().click();
      await expect(page).toHaveURL("/competitors/new");
      await waitForHydration(page);
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByRole("button", { name: "Add competitor" }).click();
      await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
      await waitForHydration(page);
      const hints = await page.$$eval('link[rel="preload"][as="fetch"]', (links) =>
        links.map((link) => new URL((link as HTMLLinkElement).href).pathname),
      );
      const chunks = fetched.filter((url) => !url.endsWith("/outrival.wasm"));
      expect(chunks.length, "the sources panel's chunk was fetched").toBeGreaterThan(0);
      expect(chunks.filter((url) => !hints.includes(url)), "chunks fetched without a hint").toEqual([]);

      await page.evaluate(() => {
        (window as unknown as { __e2eStillHere: boolean }).__e2eStillHere = true;
      });
      const note = page.locator("details.source-note");
      await note.locator("summary").click();
      const title = uniqueWord("Call notes");
      await note.getByLabel("Title", { exact: true }).fill(title);
      await note.getByLabel("Text", { exact: true }).fill("They said the renewal price goes up by a third.");
      await note.getByRole("button", { name: "Add note" }).click();
      await expect(page.locator(".source-list .source-title", { hasText: title })).toBeVisible();
      expect(await page.evaluate(() => (window as unknown as { __e2eStillHere?: boolean }).__e2eStillHere), "added in place").toBe(true);
      expect(errors, "console errors while navigating").toEqual([]);
    } finally {
      await context.close();
    }
  });
});
