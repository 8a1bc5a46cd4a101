// `test` with one addition: everything the browser logged as an error (console
// errors, uncaught exceptions such as a WASM panic during hydration) is printed
// when a test fails, so a failure explains itself.
import { test as base } from "@playwright/test";

export { expect } from "@playwright/test";

export const test = base.extend<{ browserErrors: string[] }>({
  browserErrors: [
    async ({ page }, use, testInfo) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(`console.error: ${message.text()}`);
      });
      page.on("pageerror", (error) => errors.push(`uncaught exception: ${error.message}\n${error.stack ?? ""}`));
      await use(errors);
      if (testInfo.status !== testInfo.expectedStatus && errors.length > 0) {
        const text = errors.join("\n");
        console.log(`Browser errors during "${testInfo.title}":\n${text}`);
        await testInfo.attach("browser-errors.txt", { body: text, contentType: "text/plain" });
      }
    },
    { auto: true },
  ],
});
