import { describe, expect, it } from "vitest";
import type { ProfileInput } from "../../shared/config";
import type { ColumnDefinition } from "../../shared/mapping";
import { harnessColumns, type SyncHarness } from "../helpers/syncHarness";
import { expectQuietRun, harnessPerTest } from "../helpers/syncTestRuns";

/**
 * Hyperlink writes (docs/references.md#graph-field-values): Graph reads `{Url, Description}` but, by public reports,
 * takes that form only with `Prefer: apiversion=2.1`, and no source shows the `"url, description"` text working on a
 * real hyperlink column. The Graph emulator enforces the reported rule by default (`hyperlinkWrites`); a refused
 * hyperlink costs that field, named with the profile setting, never the item's other values or the batch.
 */

const start = harnessPerTest();

const columns: ColumnDefinition[] = [
  ...harnessColumns,
  { name: "Link", displayName: "Link", hyperlinkOrPicture: { isPicture: false } },
];
const headers = ["ID", "Title", "Status", "Link"];
const fields: ProfileInput["fields"] = [
  { sharePoint: "Title", confluence: "Title" },
  { sharePoint: "Status", confluence: "Status" },
  { sharePoint: "Link", confluence: "Link", format: { kind: "link" } },
];
const items = [
  { id: "1", fields: { Title: "Atlas", Status: "Open", Link: { Url: "https://atlas.example", Description: "Atlas" } } },
  { id: "2", fields: { Title: "Borealis", Status: "Open" } },
];

async function linkEdited(
  options: { graphSettings?: Record<string, unknown>; hyperlinkWrite?: "object" | "text" } = {},
): Promise<SyncHarness> {
  const h = await start({
    columns,
    headers,
    items,
    rows: [
      ["1", "Atlas", "Open", "Atlas"],
      ["2", "Borealis", "Open", ""],
    ],
    profile: { fields },
    ...(options.graphSettings ? { graphSettings: options.graphSettings } : {}),
  });
  if (options.hyperlinkWrite !== undefined)
    await h.updateProfile({ sharePoint: { ...h.profile.sharePoint, hyperlinkWrite: options.hyperlinkWrite } });
  await h.sync();
  // A person links item 2 and moves it on in the same edit of the page.
  await h.savePage(
    `<table><tbody><tr><th>ID</th><th>Title</th><th>Status</th><th>Link</th></tr><tr><td>1</td><td>Atlas</td><td>Open</td><td><a href="https://atlas.example">Atlas</a></td></tr><tr><td>2</td><td>Borealis</td><td>Done</td><td><a href="https://borealis.example/plan">Plan</a></td></tr></tbody></table>`,
  );
  return h;
}

describe("hyperlink writes", () => {
  it("default: {Url, Description} with Prefer: apiversion=2.1, which the emulator takes as public reports say", async () => {
    const h = await linkEdited();
    const report = await h.sync();
    expect(report.items.flatMap((item) => item.errors)).toEqual([]);
    expect((await h.listItems()).get("2")).toMatchObject({
      Status: "Done",
      Link: { Url: "https://borealis.example/plan", Description: "Plan" },
    });
    await expectQuietRun(h);
  });

  for (const refusal of [
    { name: "no hyperlink write works", graphSettings: { hyperlinkWrites: "none" } },
    { name: "the text form on a real hyperlink column", hyperlinkWrite: "text" as const },
  ]) {
    it(`a refused hyperlink (${refusal.name}) is a field error naming the column and the setting; the rest is written`, async () => {
      const h = await linkEdited(refusal);
      const report = await h.sync();
      expect(report.outcome).toBe("completedWithErrors");
      const item = report.items.find((entry) => entry.sharePointId === "2");
      expect(item?.errors).toEqual([
        expect.objectContaining({
          field: "Link",
          code: "HYPERLINK_WRITE_REFUSED",
          message: expect.stringMatching(/column "Link".*sharePoint\.hyperlinkWrite/),
        }),
      ]);
      const stored = (await h.listItems()).get("2");
      expect(stored?.Status).toBe("Done");
      expect(stored).not.toHaveProperty("Link");
    });
  }

  it("the text form, where the service takes it (textOnly)", async () => {
    const h = await linkEdited({ hyperlinkWrite: "text", graphSettings: { hyperlinkWrites: "textOnly" } });
    const report = await h.sync();
    expect(report.items.flatMap((item) => item.errors)).toEqual([]);
    expect((await h.listItems()).get("2")?.Link).toEqual({ Url: "https://borealis.example/plan", Description: "Plan" });
  });
});
