// Every page passes axe-core's WCAG 2 A and AA checks without serious or critical
// violations, on a desktop and on a phone-sized screen.
import type { Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";
import { expectNoSeriousViolations } from "./support/axe";

import { ADMIN_STATE, DESKTOP, PHONE, createInvitation, fillSignup, newPerson, open } from "./support/app";

const publicPages = [
  { path: "/login", heading: "Sign in" },
  { path: "/signup", heading: "Create your account" },
];

const privatePages = [
  { path: "/", heading: /^Welcome, / },
  { path: "/account", heading: "Your account" },
  { path: "/admin/users", heading: "Users" },
  { path: "/admin/invitations", heading: "Invitations" },
  { path: "/admin/audit", heading: "Audit log" },
  { path: "/no-such-page", heading: "We could not find that page" },
];

for (const [screen, viewport] of [
  ["desktop", DESKTOP],
  ["phone", PHONE],
] as const) {
  test.describe(`on a ${screen} (${viewport.width}×${viewport.height})`, () => {
    test.use({ viewport });

    for (const { path, heading } of publicPages) {
      test(`${path} has no serious accessibility violations`, async ({ page }) => {
        await open(page, path);
        await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
        await expectNoSeriousViolations(page, `${path} (${screen})`);
      });
    }

    test("/signup showing field errors has no serious accessibility violations", async ({ page, browser }) => {
      const token = await createInvitation(browser, "viewer");
      await open(page, `/signup?invite=${encodeURIComponent(token)}`);
      await fillSignup(page, { ...newPerson("axe"), password: "password1234" });
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.locator(".field-error").first()).toBeVisible();
      await expectNoSeriousViolations(page, `/signup with field errors (${screen})`);
    });

    test.describe("signed in as the admin", () => {
      test.use({ storageState: ADMIN_STATE });

      for (const { path, heading } of privatePages) {
        test(`${path} has no serious accessibility violations`, async ({ page }) => {
          await open(page, path);
          await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
          await expectNoSeriousViolations(page, `${path} (${screen})`);
        });
      }

      if (viewport.width < 640) {
        test("the dashboard with the menu open has no serious accessibility violations", async ({ page }) => {
          await open(page, "/");
          await page.getByRole("button", { name: "Menu" }).click();
          await expect(page.locator("nav#primary-nav").getByRole("link", { name: "Users" })).toBeVisible();
          await expectNoSeriousViolations(page, `/ with the menu open (${screen})`);
        });
      }
    });
  });
}
