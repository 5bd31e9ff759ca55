import { describe, expect, it } from "vitest";
import { type PairingInput, pairPages, propertyReading } from "../../../shared/engine/pages/pagePairing";
import type { ItemLink, PageRecord } from "../../../shared/state/pageLinkStore";

const NOW = "2026-03-01T10:00:00.000Z";
const link = (itemId: string, pageId: string | null, phase: ItemLink["phase"] = "linked"): ItemLink => ({
  itemId,
  pageId,
  phase,
  updatedAt: NOW,
});
const record = (pageId: string, itemId: string | null, role: PageRecord["role"] = "item"): PageRecord => ({
  pageId,
  itemId,
  role,
  seenVersion: 3,
  updatedAt: NOW,
});

function input(overrides: Partial<PairingInput>): PairingInput {
  return {
    considered: new Map(),
    links: new Map(),
    records: new Map(),
    read: new Map(),
    missing: new Map(),
    properties: new Map(),
    now: NOW,
    ...overrides,
  };
}

describe("pairing pages with items by three anchors (docs/pages-mode.md §3)", () => {
  it("pairs by the link rows, and finds a linked page that is gone", () => {
    const pairing = pairPages(
      input({
        considered: new Map([
          ["1", { column: null }],
          ["2", { column: null }],
        ]),
        links: new Map([
          ["1", link("1", "5000000001")],
          ["2", link("2", "5000000002")],
        ]),
        records: new Map([["5000000001", record("5000000001", "1")]]),
        read: new Map([["5000000001", { version: 4 }]]),
        missing: new Map([["5000000002", "trashed"]]),
      }),
    );
    expect([...pairing.pageOfItem]).toEqual([["1", "5000000001"]]);
    expect([...pairing.goneOfItem]).toEqual([["2", { pageId: "5000000002", why: "trashed" }]]);
    expect(pairing.propertyWrites.size).toBe(0);
  });

  it("takes a page it has no record of by its link property, and reports a second page claiming a linked item as a copy", () => {
    const pairing = pairPages(
      input({
        considered: new Map([["1", { column: null }]]),
        links: new Map([["1", link("1", "5000000001")]]),
        records: new Map([["5000000001", record("5000000001", "1")]]),
        read: new Map([
          ["5000000001", { version: 4 }],
          ["5000000009", { version: 1 }],
          ["5000000010", { version: 1 }],
        ]),
        properties: new Map([
          ["5000000009", { kind: "ours", itemId: "1" }],
          ["5000000010", { kind: "ours", itemId: "7" }],
        ]),
      }),
    );
    expect(pairing.copies).toEqual([{ pageId: "5000000009", itemId: "1" }]);
    expect(pairing.pageOfItem.get("7")).toBe("5000000010");
    expect(pairing.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pageId: "5000000009", role: "copy", itemId: "1" }),
        expect.objectContaining({ pageId: "5000000010", role: "item", itemId: "7" }),
      ]),
    );
  });

  it("adopts an item's create in progress by the property of the page an earlier attempt made", () => {
    const pairing = pairPages(
      input({
        considered: new Map([["3", { column: null }]]),
        links: new Map([["3", link("3", null, "creating")]]),
        read: new Map([["5000000003", { version: 1 }]]),
        properties: new Map([["5000000003", { kind: "ours", itemId: "3" }]]),
      }),
    );
    expect(pairing.pageOfItem.get("3")).toBe("5000000003");
    expect(pairing.links).toEqual([expect.objectContaining({ itemId: "3", pageId: "5000000003", phase: "linked" })]);
  });

  it("pairs by the page id column only a page that carries no link, and writes our property onto it", () => {
    const pairing = pairPages(
      input({
        considered: new Map([
          ["4", { column: { kind: "page", id: "4231790669" } }],
          ["5", { column: { kind: "page", id: "4231790680" } }],
          ["6", { column: { kind: "invalid", text: "4,231,790,681" } }],
        ]),
        read: new Map([
          ["4231790669", { version: 2 }],
          ["4231790680", { version: 2 }],
        ]),
        properties: new Map([["4231790680", { kind: "ours", itemId: "8" }]]),
      }),
    );
    expect(pairing.pageOfItem.get("4")).toBe("4231790669");
    expect([...pairing.propertyWrites]).toEqual(["4231790669"]);
    // Item 5's column names item 8's page: reported, and item 5 gets no page of its own meanwhile.
    expect(pairing.pageOfItem.get("5")).toBeUndefined();
    expect(pairing.columnProblems.map((problem) => problem.itemId)).toEqual(["5", "6"]);
  });

  it("rewrites a column that disagrees with the item's page, and leaves pages without a link unlinked", () => {
    const pairing = pairPages(
      input({
        considered: new Map([["1", { column: { kind: "page", id: "999" } }]]),
        links: new Map([["1", link("1", "5000000001")]]),
        records: new Map([["5000000001", record("5000000001", "1")]]),
        read: new Map([
          ["5000000001", { version: 4 }],
          ["5000000077", { version: 1 }],
        ]),
        properties: new Map([["5000000077", { kind: "none" }]]),
      }),
    );
    expect(pairing.backlinks).toEqual([{ itemId: "1", pageId: "5000000001" }]);
    expect(pairing.unlinked).toEqual(["5000000077"]);
  });

  it("reads only its own profile's link from a property", () => {
    const owner = { profile: "customers", listId: "L1" };
    expect(propertyReading(undefined, owner)).toEqual({ kind: "none" });
    expect(propertyReading({ v: 1, profile: "customers", listId: "L1", itemId: "4" }, owner)).toEqual({
      kind: "ours",
      itemId: "4",
    });
    expect(propertyReading({ v: 1, profile: "other", listId: "L1", itemId: "4" }, owner)).toEqual({ kind: "foreign" });
    expect(propertyReading("junk", owner)).toEqual({ kind: "foreign" });
  });
});
