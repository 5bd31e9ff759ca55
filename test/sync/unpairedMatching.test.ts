import { describe, expect, it } from "vitest";
import { type MatchCandidate, matchUnpaired } from "../../shared/sync";

const candidate = (ref: string, naturalKey: string | null, values: string | null): MatchCandidate<string> => ({
  ref,
  naturalKey,
  values,
});

describe("matchUnpaired", () => {
  it("pairs one item and one row sharing a natural key, whatever their other values", () => {
    expect(matchUnpaired([candidate("i1", "k", "x")], [candidate("r1", "k", "y")])).toEqual({
      pairs: [{ item: "i1", row: "r1", by: "naturalKey" }],
      ambiguous: [],
      unmatchedItems: [],
      unmatchedRows: [],
    });
  });

  it("reports a natural key held by several candidates on both sides instead of guessing", () => {
    const result = matchUnpaired([candidate("i1", "k", "x")], [candidate("r1", "k", "y"), candidate("r2", "k", "z")]);
    expect(result.pairs).toEqual([]);
    expect(result.ambiguous).toEqual([{ naturalKey: "k", items: ["i1"], rows: ["r1", "r2"] }]);
    expect(result.unmatchedRows).toEqual([]); // ambiguous rows are not created either
  });

  it("pairs interchangeable twins under a shared natural key, then a last item with a last row", () => {
    const result = matchUnpaired(
      [candidate("i1", "k", "x"), candidate("i2", "k", "w")],
      [candidate("r1", "k", "x"), candidate("r2", "k", "v")],
    );
    expect(result.pairs).toEqual([
      { item: "i1", row: "r1", by: "naturalKey" },
      { item: "i2", row: "r2", by: "naturalKey" },
    ]);
  });

  it("lets a natural key held on one side only fall through to creating or appending", () => {
    const result = matchUnpaired([candidate("i1", "a", "x")], [candidate("r1", "b", "x")]);
    expect(result.pairs).toEqual([]); // equal values, but different natural keys: not the same thing
    expect(result.unmatchedItems).toEqual(["i1"]);
    expect(result.unmatchedRows).toEqual(["r1"]);
  });

  it("pairs by equal values when there is no natural key, and never unreadable ones", () => {
    const result = matchUnpaired(
      [candidate("i1", null, "x"), candidate("i2", null, null)],
      [candidate("r1", null, null), candidate("r2", null, "x")],
    );
    expect(result.pairs).toEqual([{ item: "i1", row: "r2", by: "values" }]);
    expect(result.unmatchedItems).toEqual(["i2"]);
    expect(result.unmatchedRows).toEqual(["r1"]);
  });

  it("prefers, among equal-valued items, the one that belongs where the row is", () => {
    const result = matchUnpaired(
      [candidate("i1", null, "x"), candidate("i2", null, "x")],
      [candidate("r1", null, "x")],
      {
        prefers: (item) => item === "i2",
      },
    );
    expect(result.pairs).toEqual([{ item: "i2", row: "r1", by: "values" }]);
  });

  it("lets items without a natural key take their identical rows first when asked (created items never carry it)", () => {
    const items = [candidate("created", null, "x"), candidate("other", "k", "y")];
    const rows = [candidate("row", "k", "x")];
    expect(matchUnpaired(items, rows).pairs).toEqual([{ item: "other", row: "row", by: "naturalKey" }]);
    expect(matchUnpaired(items, rows, { unkeyedValuesFirst: true }).pairs).toEqual([
      { item: "created", row: "row", by: "values" },
    ]);
  });
});
