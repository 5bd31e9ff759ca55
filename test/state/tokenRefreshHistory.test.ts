import { describe, expect, it } from "vitest";
import { TokenRefreshHistory, type TokenRefreshRecord } from "../../shared/state/tokenRefreshHistory";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute)).toISOString();

describe("TokenRefreshHistory (Azurite)", () => {
  it("returns a profile's latest refreshes first, limited, and keeps profiles apart", async () => {
    const history = await TokenRefreshHistory.open(azuriteLocation(), uniqueTablePrefix("history"));
    const records: TokenRefreshRecord[] = [
      { at: at(1), profileKey: "hr/roster#1", outcome: "refreshed", newExpiry: at(61), durationMs: 120 },
      { at: at(3), profileKey: "hr/roster#1", outcome: "failed", errorCode: "CONFLUENCE_UNAVAILABLE", durationMs: 900 },
      { at: at(2), profileKey: "other", outcome: "refreshed", newExpiry: at(62), durationMs: 80 },
      {
        at: at(5),
        profileKey: "hr/roster#1",
        outcome: "reauthorization-required",
        errorCode: "REAUTHORIZATION_REQUIRED",
        durationMs: 40,
      },
      { at: at(5), profileKey: "hr/roster#1", outcome: "refreshed", newExpiry: at(65), durationMs: 41 },
    ];
    for (const record of records) await history.append(record);

    const latest = await history.recent("hr/roster#1", 3);
    expect(latest.map((r) => r.at)).toEqual([at(5), at(5), at(3)]);
    expect(latest[2]).toEqual(records[1]);
    expect(await history.recent("hr/roster#1", 10)).toHaveLength(4);
    expect(await history.recent("other")).toEqual([records[2]]);
    expect(await history.recent("nobody")).toEqual([]);
  });

  it("rejects a record with an unreadable time", async () => {
    const history = await TokenRefreshHistory.open(azuriteLocation(), uniqueTablePrefix("history"));
    await expect(
      history.append({ at: "yesterday", profileKey: "p", outcome: "refreshed", durationMs: 1 }),
    ).rejects.toThrow(/invalid time/);
  });
});
