// The first thing that happens to the fresh database: its first visitor signs up
// and becomes the admin. Every other test signs in as this admin (through the
// session saved here) to create the people and invitations it needs.
import fs from "node:fs";
import path from "node:path";

import { expect, test as setup } from "./support/fixtures";

import { ADMIN, ADMIN_STATE, fillSignup, open, signIn, waitForHydration } from "./support/app";

setup("the first visitor signs up and becomes the admin", async ({ page }) => {
  fs.mkdirSync(path.dirname(ADMIN_STATE), { recursive: true });

  // On an empty installation the first visit goes straight to setting it up (once it
  // is set up, private pages send anonymous visitors to the sign-in page instead).
  await page.goto("/");
  if (process.env.E2E_REUSE_DB === "1" && !page.url().endsWith("/signup")) {
    await expect(page).toHaveURL("/login?next=%2F");
    await page.goto("/signup");
  }
  await expect(page).toHaveURL("/signup");
  await waitForHydration(page);

  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toHaveText(/Set up Outrival|Create your account/);
  if ((await heading.textContent())?.includes("Set up Outrival") !== true) {
    // Only for re-running against an instance a previous run already set up.
    if (process.env.E2E_REUSE_DB !== "1") {
      throw new Error(
        "Outrival's database already has accounts: the browser tests need a fresh, empty database " +
          "(or E2E_REUSE_DB=1 to reuse the admin of an earlier run).",
      );
    }
    await signIn(page, ADMIN.email, ADMIN.password);
  } else {
    await expect(page.getByText("You are creating the first account. It becomes the administrator.")).toBeVisible();
    // No invitation is needed for the very first account.
    await expect(page.getByLabel("Invitation code")).toHaveCount(0);
    await fillSignup(page, ADMIN);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("heading", { name: `Welcome, ${ADMIN.name}` })).toBeVisible();
  }

  // The admin's dashboard and top bar.
  for (const stat of ["People", "Sign-ins, last 7 days", "Failed sign-ins, last 7 days", "Pending invitations", "Disabled accounts"]) {
    await expect(page.locator("article.stat").filter({ has: page.getByRole("heading", { name: stat, exact: true }) })).toBeVisible();
  }
  await expect(page.getByRole("heading", { name: "Your recent activity" })).toBeVisible();
  await expect(page.locator(".nav-user-name")).toContainText(ADMIN.name);
  await expect(page.locator(".nav-user-name .role-badge")).toHaveText("Admin");
  for (const link of ["Dashboard", "Users", "Invitations", "Audit log", "Account"]) {
    await expect(page.locator("nav#primary-nav").getByRole("link", { name: link, exact: true })).toBeVisible();
  }

  await page.context().storageState({ path: ADMIN_STATE });
});
