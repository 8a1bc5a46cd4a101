// A viewer sees no admin links and is turned away from admin pages.
import { expect, test } from "./support/fixtures";

import { createPerson, newPerson, open, signIn } from "./support/app";

test("a viewer has no admin navigation and cannot open admin pages", async ({ page, browser }) => {
  const viewer = await createPerson(browser, newPerson("reader", "viewer"));
  await signIn(page, viewer.email, viewer.password);

  const nav = page.locator("nav#primary-nav");
  await expect(nav.getByRole("link", { name: "Dashboard" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Account" })).toBeVisible();
  for (const link of ["Users", "Invitations", "Audit log"]) {
    await expect(nav.getByRole("link", { name: link })).toHaveCount(0);
  }
  await expect(page.locator(".nav-user-name .role-badge")).toHaveText("Viewer");
  // Only admins see the admin figures.
  await expect(page.locator("article.stat")).toHaveCount(2);

  for (const path of ["/admin/users", "/admin/invitations", "/admin/audit"]) {
    await open(page, path);
    const alerts = page.getByRole("alert");
    await expect(alerts.first()).toContainText("You do not have access to this page");
    for (const alert of await alerts.all()) {
      await expect(alert).toContainText("You do not have access to this page");
    }
    await expect(page.locator("tr[data-user], tr[data-action]")).toHaveCount(0);
    // Only the refusal: no admin forms (invite, add a person, search) around it.
    await expect(page.locator("main form")).toHaveCount(0);
  }
});
