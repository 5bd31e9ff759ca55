import { TableClient } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";
import { ItemStateStore } from "../../shared/state/itemStateStore";
import { StateConflict } from "../../shared/state/stateConflict";
import { fieldHash, type ItemState, type StateCommit, settledPairDigest } from "../../shared/sync";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

/**
 * The pair digest index (docs/engine.md#settled-pairs) that `ItemStateStore` keeps next to the state rows: a run
 * trusts a digest to leave a pair's state unloaded, so a digest must never claim a state the row does not hold.
 */

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

async function open(): Promise<{ store: ItemStateStore; table: TableClient }> {
  const name = `${uniqueTablePrefix("dig")}SyncItemState`;
  const store = await ItemStateStore.open(azuriteLocation(), name);
  const table = TableClient.fromConnectionString(inject("azuriteTableConnectionString"), name, {
    allowInsecureConnection: true,
  });
  return { store, table };
}

/** The index as a plain object: id → digest (null: not settled). */
async function digestsOf(store: ItemStateStore, profileKey = "p") {
  const index = await store.digests(profileKey);
  return index === undefined
    ? undefined
    : { digests: Object.fromEntries(index.digests), inFlux: [...index.inFlux].sort() };
}

describe("the pair digest index", () => {
  it("exists once a full load built it, and holds every state row: settled digests, or null", async () => {
    const { store } = await open();
    const pending = state("2", "Grace", {
      fields: {
        Title: { base: { hash: fieldHash("Grace"), value: "Grace" }, sharePoint: { ok: true, hash: "sha256:x" } },
      },
    });
    await store.commit("p", [put(state("1", "Ada")), put(pending)], new Map());
    expect(await store.digests("p")).toBeUndefined();
    await store.rebuildDigests("p", await store.load("p"));
    expect(await digestsOf(store)).toEqual({
      digests: { "1": settledPairDigest(state("1", "Ada")), "2": null },
      inFlux: [],
    });
    // The index lives beside the rows, not among them.
    expect((await store.load("p")).states.map((s) => s.sharePointId).sort()).toEqual(["1", "2"]);
  });

  it("follows every commit: changed, new and deleted rows, however many commits and of whatever size", async () => {
    const { store } = await open();
    let versions = await store.commit("p", [put(state("1", "Ada")), put(state("2", "Grace"))], new Map());
    await store.rebuildDigests("p", await store.load("p"));
    versions = await store.commit(
      "p",
      [put(state("1", "Ada L.")), { kind: "delete", sharePointId: "2" }, put(state("3", "Alan"))],
      versions,
    );
    // A commit too large to list its ids in flux (a first sync's), then small ones again.
    const many = Array.from({ length: 2500 }, (_, i) => state(String(100 + i), `Item ${i}`));
    versions = await store.commit("p", many.map(put), versions);
    versions = await store.commit("p", [put(state("100", "Changed"))], versions);
    const expected = Object.fromEntries(
      [state("1", "Ada L."), state("3", "Alan"), state("100", "Changed"), ...many.slice(1)].map((s) => [
        s.sharePointId,
        settledPairDigest(s),
      ]),
    );
    expect(await digestsOf(store)).toEqual({ digests: expected, inFlux: [] });
    // A rebuild from the rows finds exactly what the commits recorded.
    await store.rebuildDigests("p", await store.load("p"));
    expect(await digestsOf(store)).toEqual({ digests: expected, inFlux: [] });
  });

  it("leaves the ids of a commit that stopped half-way in flux: never a digest the row may not match", async () => {
    const { store } = await open();
    const read = await store.commit("p", [put(state("1", "Ada")), put(state("2", "Grace"))], new Map());
    await store.rebuildDigests("p", await store.load("p"));
    // Someone else changes row 2 (say, an earlier attempt of this very run that lost its answer).
    const theirs = await store.commit("p", [put(state("2", "Theirs"))], read);
    await expect(
      store.commit("p", [put(state("1", "Mine")), put(state("2", "Mine too"))], read),
    ).rejects.toBeInstanceOf(StateConflict);
    const index = await digestsOf(store);
    expect(index?.inFlux).toEqual(["1", "2"]);
    // A later commit of other rows keeps them in flux; one that writes them takes them out.
    await store.commit("p", [put(state("1", "Final"))], new Map([["1", (await store.get("p", "1"))!.version]]));
    expect((await digestsOf(store))?.inFlux).toEqual(["2"]);
    expect(theirs.get("2")).toBeDefined();
  });

  it("is dropped, not trusted, when someone changed it between a commit's mark and its record", async () => {
    const { table } = await open();
    // The header changes while the commit writes its rows (as if another writer marked it meanwhile).
    let armed = false;
    let raced = false;
    const racing = new Proxy(table, {
      get(target, property) {
        if (property === "submitTransaction" && armed) {
          return async (...args: Parameters<TableClient["submitTransaction"]>) => {
            armed = false;
            raced = true;
            const header = await target.getEntity("p%digests", "header");
            await target.updateEntity({ partitionKey: "p%digests", rowKey: "header", touched: true }, "Merge", {
              etag: header.etag,
            });
            return target.submitTransaction(...args);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const store = new ItemStateStore(racing);
    const versions = await store.commit("p", [put(state("1", "Ada")), put(state("2", "Grace"))], new Map());
    await store.rebuildDigests("p", await store.load("p"));
    armed = true;
    await store.commit("p", [put(state("1", "Ada L.")), put(state("2", "Grace H."))], versions);
    expect(raced).toBe(true);
    expect(await store.digests("p")).toBeUndefined();
    expect((await store.get("p", "1"))?.state.fields.Title?.base?.value).toBe("Ada L.");
  });

  it("is not rebuilt from rows loaded before a commit changed it", async () => {
    const { store } = await open();
    let versions = await store.commit("p", [put(state("1", "Ada"))], new Map());
    await store.rebuildDigests("p", await store.load("p"));
    const loadedEarlier = await store.load("p");
    versions = await store.commit("p", [put(state("1", "Ada L."))], versions);
    await store.rebuildDigests("p", loadedEarlier);
    expect(await digestsOf(store)).toEqual({ digests: { "1": settledPairDigest(state("1", "Ada L.")) }, inFlux: [] });
    expect(versions.size).toBe(1);
  });

  it("goes with the rows when the profile's state is cleared", async () => {
    const { store } = await open();
    await store.commit("p", [put(state("1", "Ada"))], new Map());
    await store.rebuildDigests("p", await store.load("p"));
    await store.commit(
      "p",
      Array.from({ length: 2100 }, (_, i) => put(state(String(10 + i), "x"))),
      new Map(),
    );
    expect(await store.clear("p")).toBe(2101);
    expect(await store.digests("p")).toBeUndefined();
    expect((await store.load("p")).states).toEqual([]);
  });
});
