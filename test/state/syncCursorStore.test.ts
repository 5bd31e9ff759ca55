import { describe, expect, it } from "vitest";
import { StateConflict } from "../../shared/state/stateConflict";
import { type SyncCursor, SyncCursorStore } from "../../shared/state/syncCursorStore";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

const cursor = (deltaLink: string, runId = "r1"): SyncCursor => ({
  deltaLink,
  runId,
  updatedAt: "2026-01-01T00:00:00.000Z",
  pageEditedAt: "2025-12-31T09:00:00.000Z",
});

describe("SyncCursorStore", () => {
  it("stores the delta link per profile over the version read", async () => {
    const store = await SyncCursorStore.open(azuriteLocation(), `${uniqueTablePrefix("cur")}SyncCursors`);
    expect(await store.get("hr")).toBeUndefined();
    const v1 = await store.save("hr", cursor("https://graph/delta?token=1"), null);
    const v2 = await store.save("hr", cursor("https://graph/delta?token=2", "r2"), v1);
    expect(await store.get("hr")).toEqual({ cursor: cursor("https://graph/delta?token=2", "r2"), version: v2 });
    expect(await store.get("finance")).toBeUndefined();
  });

  it("detects a link stored meanwhile, and accepts its own retried save", async () => {
    const store = await SyncCursorStore.open(azuriteLocation(), `${uniqueTablePrefix("cur")}SyncCursors`);
    const v1 = await store.save("hr", cursor("link-1"), null);
    await store.save("hr", cursor("link-2", "r2"), v1);
    await expect(store.save("hr", cursor("link-2", "r2"), v1)).resolves.toBeTypeOf("string");
    await expect(store.save("hr", cursor("link-3", "r3"), v1)).rejects.toBeInstanceOf(StateConflict);
    await expect(store.save("hr", cursor("link-4", "r4"), null)).rejects.toMatchObject({
      code: "STATE_CONFLICT",
      kind: "cursor",
    });
    expect((await store.get("hr"))?.cursor.deltaLink).toBe("link-2");
    await store.delete("hr");
    expect(await store.get("hr")).toBeUndefined();
  });
});
