import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_LOOSE_VALUES, SecretRedactor } from "../../shared/runtime/secretRedactor";

/** Secrets as a store may hold them: any characters (quotes, backslashes, control characters, non-ASCII) but the
 * brackets of `[REDACTED]` itself, which could otherwise re-form a secret out of the replacement text. */
const secretArbitrary = fc
  .string({ unit: "binary", minLength: 6, maxLength: 40 })
  .filter((s) => !/[[\]]/.test(s) && s.length >= 6);
const textArbitrary = fc.string({ unit: "binary", maxLength: 20 }).filter((s) => !/[[\]]/.test(s));

function escapedOnce(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

describe("SecretRedactor", () => {
  it("redacts a secret holding a quote, a backslash or a control character inside JSON text", () => {
    const redactor = new SecretRedactor();
    const secret = 'pa"ss\\word\u0001\nend';
    redactor.register(secret);
    const json = JSON.stringify({ message: `failed with ${secret}`, nested: JSON.stringify({ secret }) });
    const out = redactor.redact(json);
    expect(out).not.toContain(escapedOnce(secret));
    expect(out).not.toContain(escapedOnce(escapedOnce(secret)));
    expect(out).toContain("[REDACTED]");
    expect(JSON.parse(out).message).toBe("failed with [REDACTED]");
    expect(redactor.redactFields({ error: { secret } })).toEqual({ error: { secret: "[REDACTED]" } });
    expect(redactor.redact(`code=${encodeURIComponent(secret)}`)).toBe("code=[REDACTED]");
  });

  it("leaves no form of any registered secret in JSON of any text around it (property)", () => {
    fc.assert(
      fc.property(secretArbitrary, textArbitrary, textArbitrary, (secret, before, after) => {
        const redactor = new SecretRedactor();
        redactor.register(secret);
        const raw = `${before}${secret}${after}`;
        for (const text of [raw, JSON.stringify({ raw }), JSON.stringify({ inner: JSON.stringify({ raw }) })]) {
          const out = redactor.redact(text);
          expect(out.includes(secret)).toBe(false);
          expect(out.includes(escapedOnce(secret))).toBe(false);
        }
        const fields = redactor.redactFields({ raw });
        expect(JSON.stringify(fields).includes(escapedOnce(secret))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps only a slot's current value and the one before it", () => {
    const redactor = new SecretRedactor();
    const values = Array.from({ length: 10_000 }, (_, i) => `refresh-token-${String(i).padStart(5, "0")}`);
    for (const value of values) redactor.register(value, "contoso/ConfluenceRefreshToken");
    expect(redactor.size).toBe(2);
    expect(redactor.redact(values[9_999]!)).toBe("[REDACTED]");
    expect(redactor.redact(values[9_998]!)).toBe("[REDACTED]");
    expect(redactor.redact(values[9_997]!)).toBe(values[9_997]);
    // Another slot is independent.
    redactor.register("client-secret-value", "contoso/ConfluenceClientSecret");
    expect(redactor.size).toBe(3);
  });

  it("bounds values registered without a slot, forgetting the oldest first", () => {
    const redactor = new SecretRedactor();
    const values = Array.from({ length: 5_000 }, (_, i) => `loose-secret-${String(i).padStart(5, "0")}`);
    for (const value of values) redactor.register(value);
    expect(redactor.size).toBe(DEFAULT_MAX_LOOSE_VALUES);
    expect(redactor.redact(values.at(-1)!)).toBe("[REDACTED]");
    expect(redactor.redact(values[0]!)).toBe(values[0]);
    // Registering a value again makes it the newest.
    const small = new SecretRedactor({ maxLooseValues: 2 });
    small.register("first-secret");
    small.register("second-secret");
    small.register("first-secret");
    small.register("third-secret");
    expect(small.redact("first-secret second-secret third-secret")).toBe("[REDACTED] second-secret [REDACTED]");
  });

  it("replaces a secret that contains another one whole, and ignores values too short to matter", () => {
    const redactor = new SecretRedactor();
    redactor.register("abcdef");
    redactor.register("xxabcdefyy");
    redactor.register("abc");
    expect(redactor.redact("xxabcdefyy abcdef abc")).toBe("[REDACTED] [REDACTED] abc");
    expect(redactor.redact("Authorization: Bearer eyJhbGciOi.payload.sig")).toBe("Authorization: Bearer [REDACTED]");
  });
});
