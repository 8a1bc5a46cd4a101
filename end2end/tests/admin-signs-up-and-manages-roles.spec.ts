// An admin joins (through an admin invitation: the very first account of the
// database is created once, by the set-up test), signs out and back in, adds a
// person as a viewer, makes them an editor, and finds the change in the audit log.
// The same journey runs on a desktop and on a phone-sized screen, each with its
// own admin and person.
import { expect, test } from "./support/fixtures";

import {
  DESKTOP,
  PHONE,
  addPersonOnUsersPage,
  createInvitation,
  fillSignup,
  navigateTo,
  newPerson,
  open,
  signOut,
  submitSignIn,
  waitForHydration,
} from "./support/app";

for (const [screen, viewport] of [
  ["on a desktop", DESKTOP],
  ["on a phone", PHONE],
] as const) {
  test.describe(screen, () => {
    test.use({ viewport });

    test("an admin signs up, signs out and in, adds a viewer and makes them an editor", async ({ page, browser }) => {
      const admin = newPerson("admin", "admin");
      const colleague = newPerson("viewer", "viewer");
      const phone = viewport.width < 640;

      // Sign up through an admin invitation link.
      const token = await createInvitation(browser, "admin");
      await open(page, `/signup?invite=${encodeURIComponent(token)}`);
      await expect(page.getByRole("heading", { name: "Join your team" })).toBeVisible();
      await expect(page.getByText("You have been invited as an admin.")).toBeVisible();
      await expect(page.getByLabel("Invitation code")).toHaveValue(token);
      await fillSignup(page, admin);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page).toHaveURL("/");
      // The dashboard is a new page: the Menu button answers once it is hydrated.
      await waitForHydration(page);
      await expect(page.getByRole("heading", { name: `Welcome, ${admin.name}` })).toBeVisible();
      await expect(page.locator("article.stat").filter({ hasText: "Pending invitations" })).toBeVisible();

      // On a phone the navigation sits behind the Menu button.
      const menu = page.getByRole("button", { name: "Menu" });
      if (phone) {
        await expect(menu).toBeVisible();
        await expect(menu).toHaveAttribute("aria-expanded", "false");
        await expect(page.locator("nav#primary-nav").getByRole("link", { name: "Users" })).toBeHidden();
      } else {
        await expect(menu).toBeHidden();
        await expect(page.locator("nav#primary-nav").getByRole("link", { name: "Users" })).toBeVisible();
      }

      // Sign out, and back in.
      await signOut(page);
      await waitForHydration(page);
      await submitSignIn(page, admin.email, admin.password);
      await expect(page).toHaveURL("/");
      await waitForHydration(page);
      await expect(page.getByRole("heading", { name: `Welcome, ${admin.name}` })).toBeVisible();

      // Add a colleague as a viewer.
      await navigateTo(page, "Users", "/admin/users");
      await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
      await addPersonOnUsersPage(page, colleague);
      const row = page.locator(`tr[data-user="${colleague.email}"]`);
      const roleSelect = row.getByLabel(`Role for ${colleague.email}`);
      await expect(roleSelect).toHaveValue("viewer");

      // Make them an editor.
      const saved = page.waitForResponse(
        (response) => response.url().includes("/admin/set_role") && response.request().method() === "POST",
      );
      await roleSelect.selectOption({ label: "Editor" });
      await row.getByRole("button", { name: "Save" }).click();
      expect((await saved).ok(), "the role change is accepted").toBe(true);
      await expect(page.getByRole("alert")).toHaveCount(0);

      // The change is stored: after a reload the row still says Editor.
      await page.reload();
      await waitForHydration(page);
      const reloaded = page.locator(`tr[data-user="${colleague.email}"]`).getByLabel(`Role for ${colleague.email}`);
      await expect(reloaded).toHaveValue("editor");
      await expect(reloaded.locator("option:checked")).toHaveText("Editor");

      // The audit log lists the change.
      await navigateTo(page, "Audit log", "/admin/audit");
      await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
      const entry = page.locator('tr[data-action="role_changed"]').filter({ hasText: colleague.email });
      await expect(entry).toHaveCount(1);
      await expect(entry).toContainText("Changed role");
      await expect(entry).toContainText(admin.email);
      await expect(entry).toContainText("viewer → editor");
    });
  });
}
