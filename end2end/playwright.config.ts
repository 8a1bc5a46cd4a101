import { defineConfig } from "@playwright/test";

import { ADMIN_STATE } from "./tests/support/paths";

// The app is started by a wrapper (with a fresh, empty database) before the run;
// these tests only need to know where it listens.
const baseURL = process.env.BASE_URL;
if (!baseURL) {
  throw new Error(
    "BASE_URL is not set. Start Outrival with a fresh, empty database and run e.g.\n" +
      "  BASE_URL=http://127.0.0.1:3123 npm test\n" +
      "(see end2end/README.md).",
  );
}
try {
  new URL(baseURL);
} catch {
  throw new Error(`BASE_URL is not a URL: ${JSON.stringify(baseURL)} (expected e.g. http://127.0.0.1:3123)`);
}

export default defineConfig({
  testDir: "./tests",
  // One browser at a time: the machine has 2 cores and the server needs one.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  outputDir: "test-results",
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download is not available here.
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    {
      // The very first visitor of the fresh database sets Outrival up; this creates
      // the admin every other test signs in as (its session is saved to ADMIN_STATE).
      name: "setup",
      testMatch: /.*\.setup\.ts/,
    },
    {
      name: "chromium",
      testMatch: /.*\.spec\.ts/,
      dependencies: ["setup"],
    },
  ],
});
