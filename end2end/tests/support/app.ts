// Shared steps for the Outrival browser tests: who the admin is, waiting for
// hydration, signing in, and the admin chores other tests need (adding a person,
// creating an invitation link).
import { expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

import { ADMIN_STATE } from "./paths";

export { ADMIN_STATE };

/** The first account of the fresh database, created by `first-visitor-sets-up-outrival.setup.ts`. */
export const ADMIN = {
  name: "Ada Admin",
  email: "admin@example.com",
  password: "Correct-Horse-Battery-9",
};

/** A password every rule accepts (for people the tests create). */
export const STRONG_PASSWORD = "Plenty-Of-Entropy-2024!";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

let counter = 0;

/** A value no other test (nor an earlier run against the same database) uses. */
export function uniqueId(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** A fresh address, e.g. `viewer-lx3k1ab@example.com`. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${uniqueId()}@example.com`;
}

/**
 * Resolves once the WASM bundle has hydrated the page's islands (the app sets this
 * marker). Every link and every plain form loads a new page from the server, so after
 * one, first check something that proves the new page is there (its address, say), so
 * the marker is not read from the old page, then wait for this before using the page.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** Opens `path` and waits until the page is hydrated. Returns the main response. */
export async function open(page: Page, path: string) {
  const response = await page.goto(path);
  await waitForHydration(page);
  return response;
}

/** A page's path plus query, for comparing with what a test expects. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/**
 * Fills and submits the sign-in form on the current page (already at /login). It does
 * not wait: a refused sign-in stays on the page, an accepted one loads the next page, so
 * the caller checks where it ended up (and waits for hydration before using that page).
 */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in through the form and waits for the dashboard (loaded and hydrated). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await open(page, "/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL("/");
  // Signing in loads the dashboard as a new page: wait until its islands answer.
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
}

/**
 * On a narrow screen the navigation hides behind the "Menu" button: opens it when
 * it is shown, so the navigation's links and the "Sign out" button can be clicked.
 */
export async function revealNavigation(page: Page): Promise<void> {
  const menu = page.getByRole("button", { name: "Menu" });
  if (await menu.isVisible()) {
    if ((await menu.getAttribute("aria-expanded")) !== "true") {
      await menu.click();
    }
    await expect(menu).toHaveAttribute("aria-expanded", "true");
  }
  await expect(page.locator("nav#primary-nav")).toBeVisible();
}

/**
 * Follows a link of the main navigation (opening the menu first on a phone) and waits
 * until the new page, loaded from the server, is hydrated.
 */
export async function navigateTo(page: Page, linkName: string, path: string): Promise<void> {
  await revealNavigation(page);
  await page.locator("nav#primary-nav").getByRole("link", { name: linkName, exact: true }).click();
  await expect(page).toHaveURL(path);
  await waitForHydration(page);
}

/** Signs out with the top bar's button and waits for the sign-in page (loaded and hydrated). */
export async function signOut(page: Page): Promise<void> {
  await revealNavigation(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/login");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
}

/**
 * Runs `work` in a separate browser context signed in as the admin (the session
 * saved by the set-up test), then closes it. For the chores a test needs done
 * "behind the scenes", such as adding the person it is about.
 */
export async function asAdmin<T>(
  browser: Browser,
  work: (page: Page) => Promise<T>,
  options: BrowserContextOptions = {},
): Promise<T> {
  const context = await browser.newContext({
    storageState: ADMIN_STATE,
    viewport: DESKTOP,
    javaScriptEnabled: true,
    ...options,
  });
  try {
    const page = await context.newPage();
    return await work(page);
  } finally {
    await context.close();
  }
}

export type Role = "admin" | "editor" | "viewer";

export interface Person {
  name: string;
  email: string;
  password: string;
  role: Role;
}

/** A new person's details (not yet created). */
export function newPerson(prefix: string, role: Role = "viewer"): Person {
  const id = uniqueId();
  return {
    name: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${id}`,
    email: `${prefix}-${id}@example.com`,
    password: STRONG_PASSWORD,
    role,
  };
}

/** On /admin/users, fills "Add a person" and waits for the confirmation and the new row. */
export async function addPersonOnUsersPage(page: Page, person: Person): Promise<void> {
  const form = page.locator("section.panel", { has: page.getByRole("heading", { name: "Add a person" }) });
  await form.getByLabel("Name", { exact: true }).fill(person.name);
  await form.getByLabel("Email", { exact: true }).fill(person.email);
  await form.getByLabel("Role", { exact: true }).selectOption(person.role);
  await form.getByLabel("First password", { exact: true }).fill(person.password);
  await form.getByRole("button", { name: "Add person" }).click();
  await expect(form.getByRole("status")).toContainText(`Added ${person.email} as ${person.role}.`);
  await expect(page.locator(`tr[data-user="${person.email}"]`)).toBeVisible();
}

/** Has the admin add `person` (in a separate, admin-signed-in context). */
export async function createPerson(browser: Browser, person: Person): Promise<Person> {
  await asAdmin(browser, async (page) => {
    await open(page, "/admin/users");
    await addPersonOnUsersPage(page, person);
  });
  return person;
}

/**
 * On /admin/invitations, creates an invitation link and returns its token (the
 * part after `invite=`).
 */
export async function createInvitationOnPage(page: Page, role: Role, email = ""): Promise<string> {
  const form = page.locator("section.panel", { has: page.getByRole("heading", { name: "Invite someone" }) });
  await form.getByLabel("Email (optional)").fill(email);
  await form.getByLabel("Role", { exact: true }).selectOption(role);
  await form.getByRole("button", { name: "Create invitation link" }).click();
  const link = form.getByLabel("Invitation link");
  await expect(link).toHaveValue(/invite=/);
  const token = new URL(await link.inputValue()).searchParams.get("invite");
  expect(token, "the invitation link carries a token").toBeTruthy();
  return token as string;
}

/** Has the admin create an invitation link (in a separate context); returns its token. */
export async function createInvitation(browser: Browser, role: Role, email = ""): Promise<string> {
  return asAdmin(browser, async (page) => {
    await open(page, "/admin/invitations");
    return createInvitationOnPage(page, role, email);
  });
}

/** Fills the sign-up form's own fields (not the invitation code). */
export async function fillSignup(
  page: Page,
  person: { name: string; email: string; password: string },
  repeat = person.password,
): Promise<void> {
  await page.getByLabel("Your name").fill(person.name);
  const email = page.getByLabel("Email", { exact: true });
  if (!(await email.getAttribute("readonly"))) {
    await email.fill(person.email);
  }
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByLabel("Repeat password").fill(repeat);
}

/**
 * Records console errors and uncaught exceptions of `page`. `expected` lists
 * patterns of messages a test causes on purpose (e.g. the browser's note about the
 * 401 answer to a deliberately wrong password); anything else is collected.
 */
export function watchConsole(page: Page, expected: RegExp[] = []) {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") {
      const where = message.location();
      const text = `console.error: ${message.text()}${where.url ? ` (at ${where.url}:${where.lineNumber})` : ""}`;
      if (!expected.some((pattern) => pattern.test(text))) errors.push(text);
    }
  });
  page.on("pageerror", (error) => {
    errors.push(`uncaught exception: ${error.message}`);
  });
  return errors;
}
