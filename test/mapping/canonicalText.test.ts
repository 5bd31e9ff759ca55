import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseText } from "../../shared/mapping";

/** The definition, without the shortcut for text that is already canonical. */
const slowly = (text: string): string => text.normalize("NFC").replace(/\s+/gu, " ").trim();

describe("normaliseText", () => {
  it("is NFC, whitespace runs as one space, trimmed, whatever the text (the ASCII shortcut changes nothing)", () => {
    const pieces = fc.oneof(
      fc.constantFrom(" ", "  ", "\t", "\n", "\u00a0", "e\u0301", "é", "~", "!", "\u2028", "\ufeff", "a", "Z"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join("")),
        ),
        (text) => {
          expect(normaliseText(text)).toBe(slowly(text));
        },
      ),
      { numRuns: 3000 },
    );
    for (const text of ["", "a", "a b", "a ", " a", "a  b", "a\tb", "caf\u0065\u0301"])
      expect(normaliseText(text)).toBe(slowly(text));
  });
});
