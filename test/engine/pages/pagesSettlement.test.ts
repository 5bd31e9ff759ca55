import { afterEach, describe, expect, it } from "vitest";
import { settleConflicts } from "../../../shared/engine/conflictSettling";
import { PAGES_PROFILE, type PagesHarness, sampleCustomers, startPagesHarness } from "../../helpers/pagesHarness";

/** Pages runs do not apply settlements yet (docs/pages-mode.md §11): a choice is refused, not recorded and ignored. */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("settling a pages profile's conflicts", () => {
  it("is refused with CONFLICT_NOT_SETTLEABLE, and the conflict stays open", async () => {
    harness = await startPagesHarness({ items: sampleCustomers(1) });
    await harness.sync();
    const page = harness.pageOfItem("1")!;
    await harness.editItem("1", { Amount: 11 });
    await harness.editBlock(page.id, { Amount: "<p>22</p>" });
    const report = await harness.sync();
    expect(report.counts.conflicts).toBeGreaterThan(0);
    const open = await harness.services.state.conflicts.listOpen(PAGES_PROFILE);
    expect(open.length).toBeGreaterThan(0);
    await expect(
      settleConflicts(harness.services, {
        profileKey: PAGES_PROFILE,
        target: { kind: "one", id: open[0]!.id },
        take: "sharePoint",
        by: "test",
        via: "cli",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT_NOT_SETTLEABLE" });
    expect(await harness.services.state.conflicts.listOpen(PAGES_PROFILE)).toHaveLength(open.length);
  });
});
