import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CanonicalValue, fieldHash } from "../../shared/sync";
import { observe } from "../../shared/sync/fieldValue";

const canonical: fc.Arbitrary<CanonicalValue> = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

describe("observe", () => {
  it("takes a reader's hash as it is and agrees with hashing the value itself", () => {
    fc.assert(
      fc.property(canonical, (value) => {
        const hashed = observe({ ok: true, value, hash: fieldHash(value) });
        expect(hashed).toEqual(observe({ ok: true, value }));
        expect(hashed).toEqual({ ok: true, value, hash: fieldHash(value) });
      }),
    );
  });
});
