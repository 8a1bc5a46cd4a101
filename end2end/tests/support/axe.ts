// axe-core (WCAG 2 A and AA) for the accessibility specs: serious or critical
// violations fail; minor ones are printed.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

import { expect } from "./fixtures";

type Violation = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"][number];

/** The violations, readable in a failure message: rule, impact, help, and each element. */
function describe(violations: Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(" ")}\n      ${n.html}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`)
        .join("\n");
      return `[${v.impact}] ${v.id}: ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join("\n\n");
}

export async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const minor = results.violations.filter((v) => !serious.includes(v));
  if (minor.length > 0) {
    // Not failures, but worth seeing in the run's output.
    console.log(`axe: minor/moderate findings on ${what}:\n${describe(minor)}`);
  }
  expect(serious, `serious or critical axe violations on ${what}:\n\n${describe(serious)}\n`).toEqual([]);
}
