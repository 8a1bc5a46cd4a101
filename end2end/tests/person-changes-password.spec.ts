// Someone changes their password on the account page and signs in with the new one.
import { expect, test } from "./support/fixtures";

import { createPerson, newPerson, open, signIn, signOut, submitSignIn, waitForHydration } from "./support/app";

test("a person changes their password and signs in with the new one", async ({ page, browser }) => {
  const person = await createPerson(browser, newPerson("changer", "editor"));
  const newPassword = "Fresh-Passphrase-For-2025";

  await signIn(page, person.email, person.password);
  await open(page, "/account");
  await expect(page.locator("dl.facts")).toContainText(person.email);
  await expect(page.locator("dl.facts")).toContainText("Editor");
  await page.getByLabel("Current password").fill(person.password);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("Password changed");
  // The form is cleared for safety.
  await expect(page.getByLabel("Current password")).toHaveValue("");

  // This session stays signed in.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
  await waitForHydration(page);

  await signOut(page);
  await submitSignIn(page, person.email, person.password);
  await expect(page.getByRole("alert")).toContainText("The email or password is incorrect.");
  await page.getByLabel("Password", { exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
});
