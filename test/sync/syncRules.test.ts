import { describe, expect, it } from "vitest";
import { PlannerInputInvalid } from "../../shared/sync";
import { rules } from "./planFixtures";

describe("syncRulesFromProfile", () => {
  it("gives every field its effective direction: its own, else the profile's", () => {
    const ruleSet = rules({
      direction: "toConfluence",
      fields: [
        { sharePoint: "Title", confluence: "Title" },
        { sharePoint: "Status", confluence: "Status", direction: "both" },
      ],
    });
    expect(ruleSet.fields.map((f) => [f.key, f.direction])).toEqual([
      ["Title", "toConfluence"],
      ["Status", "both"],
    ]);
    expect(ruleSet.itemDirection).toBe("toConfluence");
  });

  it("takes the defaults: flag, keep both ways, 20 %", () => {
    expect(rules()).toMatchObject({
      conflictPolicy: "flag",
      deletes: { toConfluence: "keep", toSharePoint: "keep" },
      massDeleteLimitPercent: 20,
      matchBy: null,
    });
  });

  it("never deletes toward a side the profile does not sync to", () => {
    expect(
      rules({ direction: "toConfluence", deletes: { toConfluence: "delete", toSharePoint: "delete" } }).deletes,
    ).toEqual({
      toConfluence: "delete",
      toSharePoint: "keep",
    });
  });

  it("resolves matchBy to the mapped field, comparing headers as the table mapper does", () => {
    expect(rules({ matchBy: { sharePoint: "Title", confluence: "  title " } }).matchBy).toBe("Title");
  });

  it("refuses a matchBy that is not a mapped pair, naming the profile", () => {
    expect(() => rules({ matchBy: { sharePoint: "Created", confluence: "Created" } })).toThrow(PlannerInputInvalid);
    expect(() => rules({ matchBy: { sharePoint: "Title", confluence: "Name" } })).toThrow(
      /profile "contoso-tasks": matchBy/,
    );
  });
});
