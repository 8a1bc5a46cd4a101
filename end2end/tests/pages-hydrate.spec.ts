// The server-rendered pages come alive in the browser: the WASM bundle hydrates
// the islands in them without errors, and after that their forms and buttons work.
import { expect, test } from "./support/fixtures";

import { ADMIN, ADMIN_STATE, PHONE, open, uniqueEmail, waitForHydration, watchConsole } from "./support/app";

test.describe("a visitor", () => {
  test("the sign-in page hydrates without console errors", async ({ page }) => {
    const errors = watchConsole(page);
    const response = await page.goto("/login");
    expect(response?.status()).toBe(200);
    await waitForHydration(page);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    expect(errors, "console errors on /login").toEqual([]);
  });

  test("a failed sign-in comes back with the alert, the email kept and the password empty", async ({ page }) => {
    const errors = watchConsole(page);
    await open(page, "/login");
    const email = uniqueEmail("nobody");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password-at-all");
    await page.getByRole("button", { name: "Sign in" }).click();

    // A plain form: the server answers with the sign-in page again.
    await expect(page.getByRole("alert")).toContainText("The email or password is incorrect.");
    await expect(page).toHaveURL(/\/login\b/);
    await waitForHydration(page);
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
    await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    expect(errors, "console errors on /login").toEqual([]);
  });
});

test.describe("the admin", () => {
  test.use({ storageState: ADMIN_STATE });

  test("the dashboard hydrates without console errors", async ({ page }) => {
    const errors = watchConsole(page);
    const response = await page.goto("/");
    expect(response?.status()).toBe(200);
    await waitForHydration(page);
    await expect(page.getByRole("heading", { name: `Welcome, ${ADMIN.name}` })).toBeVisible();
    await expect(page.locator("article.stat")).toHaveCount(5);
    expect(errors, "console errors on /").toEqual([]);
  });

  test("words typed into the header search before the page hydrates stay, and search", async ({ page }) => {
    // Hold the WASM back until the words are typed, as a slow phone would.
    let release!: () => void;
    const typed = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/*.wasm", async (route) => {
      await typed;
      await route.continue();
    });
    const errors = watchConsole(page);
    await page.goto("/search?q=first");
    const box = page.getByRole("searchbox", { name: "Search competitors and battlecards" });
    await expect(box).toHaveValue("first");
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);
    await box.fill("typed early");
    release();
    await waitForHydration(page);
    await expect(box, "hydration keeps what was typed").toHaveValue("typed early");
    await box.press("Enter");
    await expect(page).toHaveURL("/search?q=typed+early");
    await expect(page.locator("#search-page-q")).toHaveValue("typed early");
    // Going back shows the earlier query again.
    await page.goBack();
    await expect(page).toHaveURL("/search?q=first");
    await expect(box).toHaveValue("first");
    expect(errors, "console errors while searching").toEqual([]);
  });

  test("moving between pages marks where you are, without errors", async ({ page }) => {
    const errors = watchConsole(page);
    await open(page, "/");
    const nav = page.locator("nav#primary-nav");
    for (const [link, path, heading] of [
      ["Users", "/admin/users", "Users"],
      ["Invitations", "/admin/invitations", "Invitations"],
      ["Audit log", "/admin/audit", "Audit log"],
      ["Account", "/account", "Your account"],
      ["Dashboard", "/", `Welcome, ${ADMIN.name}`],
    ]) {
      await nav.getByRole("link", { name: link, exact: true }).click();
      await expect(page).toHaveURL(path);
      await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
      await expect(nav.getByRole("link", { name: link, exact: true })).toHaveAttribute("aria-current", "page");
      // Each link loads a new page: let it hydrate (and report any error) before the next.
      await waitForHydration(page);
    }
    expect(errors, "console errors while navigating").toEqual([]);
  });

  test.describe("on a phone", () => {
    test.use({ viewport: PHONE });

    test("the Menu button opens and closes the navigation", async ({ page }) => {
      const errors = watchConsole(page);
      await open(page, "/");
      const menu = page.getByRole("button", { name: "Menu" });
      const users = page.locator("nav#primary-nav").getByRole("link", { name: "Users" });
      await expect(menu).toHaveAttribute("aria-expanded", "false");
      await expect(menu).toHaveAttribute("aria-controls", "primary-nav");
      await expect(users).toBeHidden();

      await menu.click();
      await expect(menu).toHaveAttribute("aria-expanded", "true");
      await expect(users).toBeVisible();

      await menu.click();
      await expect(menu).toHaveAttribute("aria-expanded", "false");
      await expect(users).toBeHidden();
      expect(errors, "console errors").toEqual([]);
    });

    test("following a link in the menu closes the menu", async ({ page }) => {
      await open(page, "/");
      const menu = page.getByRole("button", { name: "Menu" });
      const nav = page.locator("nav#primary-nav");
      await menu.click();
      await expect(menu).toHaveAttribute("aria-expanded", "true");
      await nav.getByRole("link", { name: "Users" }).click();
      await expect(page).toHaveURL("/admin/users");
      await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
      // The new page's content, not the open menu, should be what the person sees.
      await expect(menu).toHaveAttribute("aria-expanded", "false");
      await expect(nav.getByRole("link", { name: "Invitations" })).toBeHidden();
    });
  });
});
