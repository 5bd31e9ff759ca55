import { afterEach, describe, expect, it } from "vitest";
import { settleConflicts } from "../../../shared/engine/conflictSettling";
import type { StateStores } from "../../../shared/state/stateStores";
import { PAGES_PROFILE, type PagesHarness, sampleCustomers, startPagesHarness } from "../../helpers/pagesHarness";

/**
 * The item state a pages run loads (docs/pages-mode.md §7, docs/engine.md#settled-pairs): only the states of the items
 * a change touches (the delta, the feed, pending items, settled conflicts), by key; every state only when SharePoint
 * enumerates the whole list. Nothing when nothing changed.
 */

let harness: PagesHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface Loads {
  full: number;
  byKey: string[][];
}

async function traced(count: number): Promise<{ h: PagesHarness; loads: Loads }> {
  const loads: Loads = { full: 0, byKey: [] };
  const wrapState = (state: StateStores): StateStores => {
    const items = state.items;
    const load = items.load.bind(items);
    const loadSome = items.loadSome.bind(items);
    items.load = (...args: Parameters<typeof load>) => {
      loads.full += 1;
      return load(...args);
    };
    items.loadSome = (profileKey: string, ids: readonly string[]) => {
      loads.byKey.push([...ids].sort((a, b) => Number(a) - Number(b)));
      return loadSome(profileKey, ids);
    };
    return state;
  };
  harness = await startPagesHarness({ items: sampleCustomers(count), wrapState });
  return { h: harness, loads };
}

function reset(loads: Loads): void {
  loads.full = 0;
  loads.byKey.length = 0;
}

describe("the state a pages run loads", () => {
  it("loads the states of the changed item and page by key, none on an idle run", async () => {
    const { h, loads } = await traced(20);
    await h.sync();
    // The run after a first sync reads the echoes of its page id write-backs: their states tell them apart.
    await h.sync();
    reset(loads);
    await h.sync();
    expect([loads.full, loads.byKey.flat()]).toEqual([0, []]);

    await h.editItem("4", { Amount: 44 });
    await h.editBlock(h.pageOfItem("9")!.id, { Amount: "<p>99</p>" });
    reset(loads);
    await h.sync();
    expect(loads.full).toBe(0);
    expect(new Set(loads.byKey.flat())).toEqual(new Set(["4", "9"]));
  });

  it("loads a settled conflict's item although neither side changed since", async () => {
    const { h, loads } = await traced(5);
    await h.sync();
    await h.editItem("2", { Amount: 11 });
    await h.editBlock(h.pageOfItem("2")!.id, { Amount: "<p>22</p>" });
    await h.sync();
    await settleConflicts(h.services, {
      profileKey: PAGES_PROFILE,
      target: { kind: "one", id: "item 2|Amount" },
      take: "confluence",
      by: "ada@contoso.com",
      via: "cli",
    });
    reset(loads);
    await h.sync();
    expect(loads.full).toBe(0);
    expect(new Set(loads.byKey.flat())).toEqual(new Set(["2"]));
    expect((await h.item("2"))?.Amount).toBe(22);
  });
});
