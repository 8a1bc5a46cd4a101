// Forms explain what is wrong next to the field concerned, and keep what was typed.
import type { Locator, Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";

import { ADMIN_STATE, createInvitation, fillSignup, newPerson, open } from "./support/app";

/** The `.field-error` message shown under the input labelled `label`. */
function fieldError(page: Page, label: string): Locator {
  return page.locator(".field", { has: page.getByLabel(label, { exact: true }) }).locator(".field-error");
}

test.describe("signing up with an invitation", () => {
  test("a common password is refused under the password field; name and email are kept", async ({ page, browser }) => {
    const token = await createInvitation(browser, "viewer");
    const person = newPerson("weak");

    await open(page, `/signup?invite=${encodeURIComponent(token)}`);
    await expect(page.getByRole("heading", { name: "Join your team" })).toBeVisible();
    await fillSignup(page, { ...person, password: "password1234" });
    await page.getByRole("button", { name: "Create account" }).click();

    const password = page.getByLabel("Password", { exact: true });
    await expect(fieldError(page, "Password")).toContainText("commonly used");
    await expect(password).toHaveAttribute("aria-invalid", "true");
    // Screen readers hear the message with the field.
    await expect(password).toHaveAccessibleDescription(/commonly used/);
    await expect(page).toHaveURL(/\/signup\?invite=/);
    await expect(page.getByLabel("Your name")).toHaveValue(person.name);
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue(person.email);
    await expect(page.getByLabel("Your name")).not.toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("Email", { exact: true })).not.toHaveAttribute("aria-invalid", "true");

    // Fixing the password completes the sign-up with the same invitation.
    await page.getByLabel("Password", { exact: true }).fill(person.password);
    await page.getByLabel("Repeat password").fill(person.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
  });

  test("an unknown invitation code is refused under the invitation field", async ({ page }) => {
    const person = newPerson("lost");
    const bogus = `no-such-invitation-${Date.now()}`;

    await open(page, `/signup?invite=${bogus}`);
    // The page already says the link is no good...
    await expect(page.getByRole("alert")).toContainText("This invitation link is invalid, expired or already used.");
    await expect(page.getByLabel("Invitation code")).toHaveValue(bogus);

    // ...and submitting anyway says so under the invitation code.
    await fillSignup(page, person);
    await page.getByRole("button", { name: "Create account" }).click();
    const code = page.getByLabel("Invitation code");
    await expect(fieldError(page, "Invitation code")).toContainText("invalid, expired or already used");
    await expect(code).toHaveAttribute("aria-invalid", "true");
    await expect(code).toHaveValue(bogus);
    await expect(page).toHaveURL(/\/signup\?invite=/);
    await expect(page.getByLabel("Your name")).toHaveValue(person.name);
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue(person.email);
  });

  test("mismatched passwords are reported under the repeat field", async ({ page, browser }) => {
    const token = await createInvitation(browser, "viewer");
    const person = newPerson("typo");

    await open(page, `/signup?invite=${encodeURIComponent(token)}`);
    await fillSignup(page, person, `${person.password}x`);
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(fieldError(page, "Repeat password")).toBeVisible();
    await expect(page.getByLabel("Repeat password")).toHaveAttribute("aria-invalid", "true");
    await expect(fieldError(page, "Password")).toHaveCount(0);
    await expect(page.getByLabel("Your name")).toHaveValue(person.name);
  });
});

test.describe("changing the password", () => {
  test.use({ storageState: ADMIN_STATE });

  test("a wrong current password is refused under that field", async ({ page }) => {
    await open(page, "/account");
    await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
    await page.getByLabel("Current password").fill("Definitely-Not-My-Password-7");
    await page.getByLabel("New password", { exact: true }).fill("A-Brand-New-Passphrase-77");
    await page.getByLabel("Repeat new password").fill("A-Brand-New-Passphrase-77");
    await page.getByRole("button", { name: "Change password" }).click();

    const current = page.getByLabel("Current password");
    await expect(fieldError(page, "Current password")).toContainText("Your current password is not correct.");
    await expect(current).toHaveAttribute("aria-invalid", "true");
    await expect(current).toHaveAccessibleDescription(/not correct/);
    await expect(page.getByRole("status")).toHaveCount(0);
    await expect(page.getByText("Password changed")).toHaveCount(0);
  });
});
