import { describe, expect, it } from "vitest";
import { TEST_LIST_ID, TEST_SITE_ID } from "../helpers/graphSeed";
import { harnessColumns } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * A date-only column holds midnight of its date in the site's time zone (docs/references.md#graph-field-values), and
 * Graph does not expose that zone: the profile names it (`sharePoint.timeZone`). The Graph emulator's site has a zone
 * of its own and stores date-only writes as midnight there, so a wrong profile setting shows as it would in
 * production: a value that is not midnight in the configured zone is refused, naming the likely zone, never shifted.
 */

const start = harnessPerTest();
const fields = [
  { sharePoint: "Title", confluence: "Title" },
  { sharePoint: "Due", confluence: "Due" },
];

describe("date-only values and the site's time zone", () => {
  it("a profile left at UTC for a Berlin site: the date is refused naming the likely zone, never shifted", async () => {
    const h = await start({
      columns: harnessColumns,
      headers: ["ID", "Title", "Due"],
      siteTimeZone: "Europe/Berlin",
      // 2 March in Berlin, as SharePoint stores it.
      items: [{ id: "1", fields: { Title: "Alpha", Due: "2026-03-01T23:00:00Z" } }],
      rows: [["1", "Alpha", ""]],
      profile: { fields },
    });
    const report = await h.sync();
    expect(report.items.find((item) => item.sharePointId === "1")?.errors).toEqual([
      expect.objectContaining({
        field: "Due",
        code: "FIELD_DATE_ZONE_MISMATCH",
        message: expect.stringMatching(
          /not midnight in UTC .*sharePoint\.timeZone.* UTC\+01:00, e\.g\. .*Europe\/Berlin/,
        ),
      }),
    ]);
    // Nothing shifted: neither 1 March on the page nor a rewritten date in SharePoint.
    expect(h.rowOf("1")?.Due).toBe("");
    expect((await h.listItems()).get("1")?.Due).toBe("2026-03-01T23:00:00Z");
  });

  it("with the right zone, dates round-trip both ways through the site's own storage", async () => {
    const h = await start({
      columns: harnessColumns,
      headers: ["ID", "Title", "Due"],
      items: [{ id: "1", fields: { Title: "Alpha", Due: "2026-03-01T23:00:00Z" } }],
      rows: [["1", "Alpha", ""]],
      profile: { fields, sharePoint: { siteId: TEST_SITE_ID, listId: TEST_LIST_ID, timeZone: "Europe/Berlin" } },
    });
    await h.sync();
    expect(h.rowOf("1")?.Due).toBe("2026-03-02");
    await h.editRows((rows) => rows.map((row) => [row[0]!, row[1]!, "2026-07-10"]));
    const report = await h.sync();
    expect(report.items.flatMap((item) => item.errors)).toEqual([]);
    expect((await h.listItems()).get("1")?.Due).toBe("2026-07-09T22:00:00Z");
  });
});
