import { afterEach, describe, expect, it } from "vitest";
import { checkProfile } from "../../../shared/diagnostics";
import {
  PAGES_PROFILE,
  type PagesHarness,
  sampleCustomers,
  startPagesHarness,
  TEMPLATE_ID,
} from "../../helpers/pagesHarness";

/** `confluence-sync check` on a pages-mode profile: the `page` line checks the parent, the template's block and the link columns. */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("confluence-sync check, pages mode", () => {
  it("passes a healthy pages profile, naming the parent and the template, and writes nothing", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(2) });
    const report = await checkProfile(harness.services, PAGES_PROFILE);
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
    const page = report.checks.find((check) => check.id === "page");
    expect(page?.verdict).toBe("ok");
    expect(page?.detail).toMatch(
      /^pages mode: parent page \d+ readable \(space \d+\); template \d+ v1 holds the block/,
    );
    expect(report.checks.find((check) => check.id === "profile")?.detail).toContain("a page per item under page");
    expect(harness.childPages()).toHaveLength(0);
  });

  it("fails when the template has lost its block, saying what to fix", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.savePage(TEMPLATE_ID, "<p>No block here any more.</p>");
    const report = await checkProfile(harness.services, PAGES_PROFILE);
    expect(report.ok).toBe(false);
    const page = report.checks.find((check) => check.id === "page");
    expect(page).toMatchObject({ verdict: "fail" });
    expect(page?.detail).toContain("confluence.target.templatePageId");
    expect(page?.action).toContain("template");
  });
});
