import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeTableKey, encodeTableKey } from "../../shared/state/tableKey";

describe("table keys", () => {
  it("escape every character Table Storage forbids, reversibly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const key = encodeTableKey(value);
        expect(key).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
        expect(decodeTableKey(key)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it("leaves ordinary keys readable", () => {
    expect(encodeTableKey("contoso-hr_42")).toBe("contoso-hr_42");
    expect(encodeTableKey("a/b#c?d\\e%")).toBe("a%2Fb%23c%3Fd%5Ce%25");
  });
});
