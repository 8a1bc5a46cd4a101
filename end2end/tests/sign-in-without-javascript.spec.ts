// Signing in works as plain HTML forms, before (or without) the WASM bundle.
import { expect, test } from "./support/fixtures";

import { createPerson, newPerson } from "./support/app";

test.use({ javaScriptEnabled: false });

test("a wrong password shows the error and keeps the email; the right one reaches the dashboard", async ({ page, browser }) => {
  const person = await createPerson(browser, newPerson("nojs"));

  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);

  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill("Not-The-Right-Password-1");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByRole("alert")).toContainText("The email or password is incorrect.");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(person.email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");

  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
  await expect(page.locator(".nav-user-name .role-badge")).toHaveText("Viewer");
});

test("a private page sends a visitor to sign in, and back there afterwards", async ({ page, browser }) => {
  const person = await createPerson(browser, newPerson("nojs-next"));

  await page.goto("/account");
  await expect(page).toHaveURL("/login?next=%2Faccount");
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/account");
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
  await expect(page.locator("dl.facts")).toContainText(person.email);
});

test("signing out works without JavaScript", async ({ page, browser }) => {
  const person = await createPerson(browser, newPerson("nojs-out"));

  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/login");
  await page.goto("/");
  await expect(page).toHaveURL("/login?next=%2F");
});
