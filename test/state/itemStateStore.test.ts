import { describe, expect, it } from "vitest";
import { ItemStateStore } from "../../shared/state/itemStateStore";
import { StateConflict } from "../../shared/state/stateConflict";
import type { ItemState, StateCommit } from "../../shared/sync";
import { fieldHash } from "../../shared/sync";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

function state(id: string, title: string, extra: Partial<ItemState> = {}): ItemState {
  return {
    sharePointId: id,
    status: "active",
    sharePointETag: `"guid-${id},1"`,
    sharePointModifiedAt: "2026-01-01T00:00:00Z",
    fields: { Title: { base: { hash: fieldHash(title), value: title } } },
    lastSyncedAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

const put = (s: ItemState): StateCommit => ({ kind: "put", state: s });

async function openStore(): Promise<ItemStateStore> {
  return ItemStateStore.open(azuriteLocation(), `${uniqueTablePrefix("items")}SyncItemState`);
}

describe("ItemStateStore", () => {
  it("round-trips states per profile, with a version per row; keys with forbidden characters are escaped", async () => {
    const store = await openStore();
    const versions = await store.commit("hr/eu", [put(state("1", "Ada")), put(state("2", "Grace"))], new Map());
    await store.commit("finance", [put(state("1", "Other"))], new Map());
    const loaded = await store.load("hr/eu");
    expect(loaded.states.map((s) => s.sharePointId).sort()).toEqual(["1", "2"]);
    expect(loaded.states.find((s) => s.sharePointId === "1")).toEqual(state("1", "Ada"));
    expect([...loaded.versions.entries()].sort()).toEqual([...versions.entries()].sort());
  });

  it("writes over the version it read and answers the new versions; deletes leave the map", async () => {
    const store = await openStore();
    const first = await store.commit("p", [put(state("1", "Ada")), put(state("2", "Grace"))], new Map());
    const second = await store.commit("p", [put(state("1", "Ada L.")), { kind: "delete", sharePointId: "2" }], first);
    expect(second.get("1")).not.toBe(first.get("1"));
    expect(second.has("2")).toBe(false);
    expect((await store.load("p")).states).toEqual([state("1", "Ada L.")]);
  });

  it("detects a lost race on an update and overwrites nothing", async () => {
    const store = await openStore();
    const read = await store.commit("p", [put(state("1", "Ada"))], new Map());
    // Another writer commits first.
    await store.commit("p", [put(state("1", "Changed by someone else"))], read);
    await expect(store.commit("p", [put(state("1", "Mine"))], read)).rejects.toMatchObject({
      code: "STATE_CONFLICT",
      kind: "item",
      key: "1",
    });
    expect((await store.get("p", "1"))?.state.fields.Title?.base?.value).toBe("Changed by someone else");
  });

  it("detects a row created meanwhile where this writer expected none", async () => {
    const store = await openStore();
    await store.commit("p", [put(state("7", "Theirs"))], new Map());
    await expect(store.commit("p", [put(state("7", "Mine"))], new Map())).rejects.toBeInstanceOf(StateConflict);
  });

  it("treats re-committing the very same state (a retried activity) as done, whatever the time stamp", async () => {
    const store = await openStore();
    const read = await store.commit("p", [put(state("1", "Ada"))], new Map());
    const afterFirstAttempt = await store.commit("p", [put(state("1", "Ada L."))], read);
    // The retry still holds the versions from before its first attempt.
    const retried = await store.commit(
      "p",
      [put(state("1", "Ada L.", { lastSyncedAt: "2026-02-02T00:00:00.000Z" }))],
      read,
    );
    expect(retried.get("1")).toBe(afterFirstAttempt.get("1"));
    // The same for inserts and deletes.
    await store.commit("p", [put(state("9", "New"))], new Map());
    await expect(store.commit("p", [put(state("9", "New"))], new Map())).resolves.toBeDefined();
    await store.commit(
      "p",
      [{ kind: "delete", sharePointId: "9" }],
      retried.set("9", (await store.get("p", "9"))!.version),
    );
    await expect(store.commit("p", [{ kind: "delete", sharePointId: "9" }], new Map())).resolves.toBeDefined();
  });

  it("refuses to delete a row someone changed meanwhile", async () => {
    const store = await openStore();
    const read = await store.commit("p", [put(state("1", "Ada"))], new Map());
    await store.commit("p", [put(state("1", "Edited"))], read);
    await expect(store.commit("p", [{ kind: "delete", sharePointId: "1" }], read)).rejects.toBeInstanceOf(
      StateConflict,
    );
    expect(await store.get("p", "1")).toBeDefined();
  });

  it("commits hundreds of rows (in transactions) and finds the one conflicting row among them", async () => {
    const store = await openStore();
    const many = Array.from({ length: 250 }, (_, i) => state(String(i + 1), `Item ${i + 1}`));
    const versions = await store.commit("p", many.map(put), new Map());
    expect(versions.size).toBe(250);
    await store.commit("p", [put(state("120", "someone else"))], versions);
    const next = many.map((s) => put({ ...s, sharePointETag: `"guid-${s.sharePointId},2"` }));
    await expect(store.commit("p", next, versions)).rejects.toMatchObject({ key: "120" });
    expect((await store.get("p", "120"))?.state.fields.Title?.base?.value).toBe("someone else");
  });
});
