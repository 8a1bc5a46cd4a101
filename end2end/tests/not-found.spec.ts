// An address Outrival does not know answers 404 with a page that leads back home.
import { expect, test } from "./support/fixtures";

import { ADMIN_STATE, open, waitForHydration, watchConsole } from "./support/app";

test.describe("signed in", () => {
  test.use({ storageState: ADMIN_STATE });

  for (const path of ["/no-such-page", "/admin/no-such-page"]) {
    test(`${path} answers 404 and offers the way back`, async ({ page }) => {
      // Chromium notes the document's 404 status in the console; that is expected.
      const errors = watchConsole(page, [/Failed to load resource: .*status of 404 /]);
      const response = await page.goto(path);
      expect(response?.status(), `status of ${path}`).toBe(404);
      await waitForHydration(page);
      await expect(page).toHaveURL(path);
      await expect(page.getByRole("heading", { name: "We could not find that page", level: 1 })).toBeVisible();
      await expect(page).toHaveTitle(/Page not found/);
      expect(errors, `console errors on ${path}`).toEqual([]);

      await page.getByRole("link", { name: "Go to the dashboard" }).click();
      await expect(page).toHaveURL("/");
      await expect(page.getByRole("heading", { name: /^Welcome, / })).toBeVisible();
    });
  }

  test("following a link on a page to an unknown page shows the not-found page", async ({ page }) => {
    await open(page, "/");
    await page.evaluate(() => {
      const link = document.createElement("a");
      link.href = "/gone-missing";
      link.textContent = "An old link";
      document.querySelector("main")?.prepend(link);
    });
    await page.getByRole("link", { name: "An old link" }).click();
    await expect(page).toHaveURL("/gone-missing");
    await expect(page.getByRole("heading", { name: "We could not find that page", level: 1 })).toBeVisible();
  });
});

test.describe("not signed in", () => {
  for (const path of ["/", "/account", "/admin/users", "/admin/audit"]) {
    test(`${path} redirects (303) to the sign-in page`, async ({ request }) => {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status()).toBe(303);
      expect(response.headers()["location"]).toBe(`/login?next=${encodeURIComponent(path)}`);
    });
  }

  test("an unknown page answers 404 without asking to sign in first", async ({ page }) => {
    // Unknown URLs reveal nothing, so they need no session: a plain 404, like signed in.
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page).toHaveURL("/no-such-page");
    await expect(page.getByRole("heading", { name: "We could not find that page" })).toBeVisible();
  });
});
