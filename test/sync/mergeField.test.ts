import { describe, expect, it } from "vitest";
import type { ConflictPolicy, SyncDirection } from "../../shared/config/profile";
import type { CanonicalValue } from "../../shared/sync/canonicalValue";
import { fieldHash } from "../../shared/sync/fieldHash";
import { type FieldObservation, type FieldSnapshot, knownValue } from "../../shared/sync/fieldValue";
import { type FieldMerge, type FieldMergeRules, fieldWriteOf, mergeField } from "../../shared/sync/mergeField";

const read = (value: CanonicalValue): FieldObservation => ({ ok: true, ...knownValue(value) });
const unreadable = (code = "NOT_A_NUMBER"): FieldObservation => ({
  ok: false,
  error: { code, message: `"abc" is not a number` },
});
const base = (value: CanonicalValue): FieldSnapshot => knownValue(value);
const hashOnly = (value: CanonicalValue): FieldSnapshot => ({ hash: fieldHash(value) });

const EARLY = "2024-05-01T10:00:00Z";
const LATE = "2024-05-01T11:00:00Z";

/** Every conflict policy, newest-wins in each of its situations. */
const policies: Record<
  string,
  Pick<FieldMergeRules, "conflictPolicy" | "sharePointModifiedAt" | "confluenceModifiedAt">
> = {
  flag: { conflictPolicy: "flag" },
  "sharepoint-wins": { conflictPolicy: "sharepoint-wins" },
  "confluence-wins": { conflictPolicy: "confluence-wins" },
  "newest-wins, SharePoint newer": {
    conflictPolicy: "newest-wins",
    sharePointModifiedAt: LATE,
    confluenceModifiedAt: EARLY,
  },
  "newest-wins, Confluence newer": {
    conflictPolicy: "newest-wins",
    sharePointModifiedAt: EARLY,
    confluenceModifiedAt: LATE,
  },
  "newest-wins, same time": { conflictPolicy: "newest-wins", sharePointModifiedAt: LATE, confluenceModifiedAt: LATE },
  "newest-wins, time unknown": {
    conflictPolicy: "newest-wins",
    sharePointModifiedAt: null,
    confluenceModifiedAt: LATE,
  },
};
const directions: SyncDirection[] = ["both", "toConfluence", "toSharePoint"];

/** The outcomes, written out: `write` is [side, value] or null. */
type Expected =
  | { kind: "noop" }
  | { kind: "write"; to: "sharePoint" | "confluence"; value: CanonicalValue }
  | { kind: "convergent"; value: CanonicalValue }
  | {
      kind: "conflict";
      cause: string;
      resolution: object;
      write: ["sharePoint" | "confluence", CanonicalValue] | null;
    };

function policyResolution(policy: string): {
  resolution: object;
  write: ["sharePoint" | "confluence", CanonicalValue] | null;
} {
  switch (policy) {
    case "flag":
      return { resolution: { kind: "flagged", because: "policy" }, write: null };
    case "sharepoint-wins":
      return { resolution: { kind: "won", winner: "sharePoint", because: "policy" }, write: ["confluence", "S"] };
    case "confluence-wins":
      return { resolution: { kind: "won", winner: "confluence", because: "policy" }, write: ["sharePoint", "C"] };
    case "newest-wins, SharePoint newer":
      return { resolution: { kind: "won", winner: "sharePoint", because: "newer" }, write: ["confluence", "S"] };
    case "newest-wins, Confluence newer":
      return { resolution: { kind: "won", winner: "confluence", because: "newer" }, write: ["sharePoint", "C"] };
    default:
      return { resolution: { kind: "flagged", because: "newestUndecided" }, write: null };
  }
}

/** Both sides hold different values "S" and "C": a one-way field's owner wins, a two-way field follows the policy. */
function bothSidesDiffer(cause: string, direction: SyncDirection, policy: string): Expected {
  if (direction === "both") return { kind: "conflict", cause, ...policyResolution(policy) };
  const winner = direction === "toConfluence" ? "sharePoint" : "confluence";
  const write: ["sharePoint" | "confluence", CanonicalValue] =
    winner === "sharePoint" ? ["confluence", "S"] : ["sharePoint", "C"];
  return { kind: "conflict", cause, resolution: { kind: "won", winner, because: "direction" }, write };
}

/**
 * docs/design.md §3, one row per line, with base "B"; SharePoint's new value "S", Confluence's "C", a common one "X".
 */
const table: {
  row: string;
  sharePoint: CanonicalValue;
  confluence: CanonicalValue;
  expect: (direction: SyncDirection, policy: string) => Expected;
}[] = [
  { row: "same | same → nothing", sharePoint: "B", confluence: "B", expect: () => ({ kind: "noop" }) },
  {
    row: "changed | same → SharePoint's value to Confluence",
    sharePoint: "S",
    confluence: "B",
    expect: (direction) =>
      direction === "toSharePoint"
        ? // SharePoint edited a field it does not own: Confluence's value is re-asserted, the edit recorded.
          {
            kind: "conflict",
            cause: "editAgainstDirection",
            resolution: { kind: "won", winner: "confluence", because: "direction" },
            write: ["sharePoint", "B"],
          }
        : { kind: "write", to: "confluence", value: "S" },
  },
  {
    row: "same | changed → Confluence's value to SharePoint",
    sharePoint: "B",
    confluence: "C",
    expect: (direction) =>
      direction === "toConfluence"
        ? {
            kind: "conflict",
            cause: "editAgainstDirection",
            resolution: { kind: "won", winner: "sharePoint", because: "direction" },
            write: ["confluence", "B"],
          }
        : { kind: "write", to: "sharePoint", value: "C" },
  },
  {
    row: "changed | changed to the same value → advance the base",
    sharePoint: "X",
    confluence: "X",
    expect: () => ({ kind: "convergent", value: "X" }),
  },
  {
    row: "changed | changed differently → conflict",
    sharePoint: "S",
    confluence: "C",
    expect: (direction, policy) => bothSidesDiffer("bothChanged", direction, policy),
  },
];

function summarise(merge: FieldMerge): Expected | FieldMerge {
  switch (merge.kind) {
    case "noop":
      return { kind: "noop" };
    case "toConfluence":
    case "toSharePoint":
      return {
        kind: "write",
        to: merge.kind === "toConfluence" ? "confluence" : "sharePoint",
        value: merge.value.value,
      };
    case "convergent":
      return { kind: "convergent", value: merge.value.value === undefined ? "(hash only)" : merge.value.value };
    case "conflict": {
      const write = merge.write;
      return {
        kind: "conflict",
        cause: merge.cause,
        resolution: merge.resolution,
        write: write === null ? null : [write.to, write.value.value],
      };
    }
    default:
      return merge;
  }
}

describe("mergeField: docs/design.md §3 for every direction and conflict policy", () => {
  const cases = table.flatMap((line) =>
    directions.flatMap((direction) => Object.keys(policies).map((policy) => ({ ...line, direction, policy }))),
  );
  it.each(cases)("$row [$direction, $policy]", ({ sharePoint, confluence, direction, policy, expect: expected }) => {
    const merge = mergeField(base("B"), read(sharePoint), read(confluence), { direction, ...policies[policy]! });
    expect(summarise(merge)).toEqual(expected(direction, policy));
  });

  it("records both values and the base in a conflict", () => {
    const merge = mergeField(base("B"), read("S"), read("C"), { direction: "both", conflictPolicy: "flag" });
    expect(merge).toMatchObject({
      kind: "conflict",
      base: { hash: fieldHash("B"), value: "B" },
      sharePoint: { hash: fieldHash("S"), value: "S" },
      confluence: { hash: fieldHash("C"), value: "C" },
    });
    expect(fieldWriteOf(merge)).toBeNull();
  });

  it("never writes against a field's direction", () => {
    for (const direction of ["toConfluence", "toSharePoint"] as const) {
      for (const line of table) {
        for (const policy of Object.keys(policies)) {
          const write = fieldWriteOf(
            mergeField(base("B"), read(line.sharePoint), read(line.confluence), { direction, ...policies[policy]! }),
          );
          if (write !== null) expect(write.to).toBe(direction === "toConfluence" ? "confluence" : "sharePoint");
        }
      }
    }
  });
});

describe("mergeField without a base (first pairing)", () => {
  const noBase: {
    row: string;
    sharePoint: CanonicalValue;
    confluence: CanonicalValue;
    expect: (d: SyncDirection, p: string) => Expected;
  }[] = [
    {
      row: "equal values converge",
      sharePoint: "V",
      confluence: "V",
      expect: () => ({ kind: "convergent", value: "V" }),
    },
    {
      row: "both empty converge",
      sharePoint: null,
      confluence: null,
      expect: () => ({ kind: "convergent", value: null }),
    },
    {
      row: "an empty SharePoint side takes Confluence's value",
      sharePoint: null,
      confluence: "C",
      expect: (direction) =>
        direction === "toConfluence"
          ? {
              kind: "conflict",
              cause: "noBase",
              resolution: { kind: "won", winner: "sharePoint", because: "direction" },
              write: ["confluence", null],
            }
          : { kind: "write", to: "sharePoint", value: "C" },
    },
    {
      row: "an empty Confluence side takes SharePoint's value",
      sharePoint: "S",
      confluence: null,
      expect: (direction) =>
        direction === "toSharePoint"
          ? {
              kind: "conflict",
              cause: "noBase",
              resolution: { kind: "won", winner: "confluence", because: "direction" },
              write: ["sharePoint", null],
            }
          : { kind: "write", to: "confluence", value: "S" },
    },
    {
      row: "different values are a conflict",
      sharePoint: "S",
      confluence: "C",
      expect: (direction, policy) => bothSidesDiffer("noBase", direction, policy),
    },
  ];
  const cases = noBase.flatMap((line) =>
    directions.flatMap((direction) => Object.keys(policies).map((policy) => ({ ...line, direction, policy }))),
  );
  it.each(cases)("$row [$direction, $policy]", ({ sharePoint, confluence, direction, policy, expect: expected }) => {
    const merge = mergeField(null, read(sharePoint), read(confluence), { direction, ...policies[policy]! });
    expect(summarise(merge)).toEqual(expected(direction, policy));
  });
});

describe("mergeField with unreadable or unavailable values", () => {
  const rules: FieldMergeRules = { direction: "both", conflictPolicy: "sharepoint-wins" };

  it("skips a field whose Confluence cell cannot be read, even when SharePoint changed", () => {
    expect(mergeField(base("B"), read("S"), unreadable(), rules)).toEqual({
      kind: "invalid",
      errors: [{ side: "confluence", error: { code: "NOT_A_NUMBER", message: `"abc" is not a number` } }],
    });
  });

  it("reports both sides when neither can be read", () => {
    const merge = mergeField(base("B"), unreadable("A"), unreadable("B"), rules);
    expect(merge.kind === "invalid" && merge.errors.map((e) => [e.side, e.error.code])).toEqual([
      ["sharePoint", "A"],
      ["confluence", "B"],
    ]);
  });

  it("asks for the value when a write needs one known only by its hash", () => {
    const sharePointByHash: FieldObservation = { ok: true, ...hashOnly("long note") };
    expect(mergeField(hashOnly("old"), sharePointByHash, read("old"), rules)).toEqual({
      kind: "valueUnavailable",
      side: "sharePoint",
    });
    // re-asserting SharePoint's value over an edit against the direction needs it too
    expect(
      mergeField(hashOnly("long note"), sharePointByHash, read("edited"), {
        direction: "toConfluence",
        conflictPolicy: "flag",
      }),
    ).toEqual({ kind: "valueUnavailable", side: "sharePoint" });
  });

  it("does not need a value it does not write", () => {
    const sharePointByHash: FieldObservation = { ok: true, ...hashOnly("long note") };
    expect(mergeField(hashOnly("long note"), sharePointByHash, read("edited"), rules)).toMatchObject({
      kind: "toSharePoint",
      value: { value: "edited" },
    });
    expect(mergeField(hashOnly("long note"), sharePointByHash, read("long note"), rules)).toEqual({ kind: "noop" });
  });

  it.each<ConflictPolicy>(["flag", "sharepoint-wins", "confluence-wins", "newest-wins"])(
    "compares canonical values, not their spelling (%s)",
    (conflictPolicy) => {
      const merge = mergeField(base({ b: 1, a: 2 }), read({ a: 2, b: 1 }), read({ b: 1, a: 2 }), {
        direction: "both",
        conflictPolicy,
      });
      expect(merge).toEqual({ kind: "noop" });
    },
  );
});
