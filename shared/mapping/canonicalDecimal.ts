/**
 * Canonical decimals are strings of plain decimal digits: an optional `-`, no leading zeros (but `0.5`), no trailing
 * fractional zeros, no exponent, `0` never negative (`-0` → `0`). A string cannot drift: `0.1` stays `0.1` however
 * often it is hashed, stored or compared, whereas a number could pick up binary noise on the way through arithmetic.
 */
export type CanonicalDecimal = string;

const PLAIN_DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** The canonical decimal a person wrote, or `undefined` when it is not a plain decimal (`abc`, `1,5`, `1e3`, `--1`). */
export function parseDecimal(text: string): CanonicalDecimal | undefined {
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) return undefined;
  return canonicalParts(match[1] === "-", match[2] ?? "0", match[3] ?? "");
}

/**
 * The canonical decimal of a JSON number (as Graph returns Number and Currency values). Uses the shortest string
 * that reads back as the same double, then expands any exponent, so `1e21` is `1000000000000000000000`.
 */
export function decimalFromNumber(value: number): CanonicalDecimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(value);
  const exponentAt = text.search(/e/i);
  if (exponentAt === -1) return parseDecimal(text) ?? text;
  const mantissa = text.slice(0, exponentAt);
  const exponent = Number(text.slice(exponentAt + 1));
  const match = PLAIN_DECIMAL.exec(mantissa);
  if (match === null) throw new RangeError(`unexpected number format: ${text}`);
  return shiftParts(match[1] === "-", match[2] ?? "0", match[3] ?? "", exponent);
}

/** `decimal × 10^places`, exactly (used to show 0.25 as 25 %). */
export function shiftDecimal(decimal: CanonicalDecimal, places: number): CanonicalDecimal {
  const match = PLAIN_DECIMAL.exec(decimal);
  if (match === null) throw new RangeError(`not a canonical decimal: ${decimal}`);
  return shiftParts(match[1] === "-", match[2] ?? "0", match[3] ?? "", places);
}

/**
 * Whether a double holds this decimal exactly as written, so writing it to SharePoint (Number and Currency columns
 * store doubles) and reading it back returns the same canonical value. `0.1` is fine (it reads back as `0.1`);
 * `0.1000000000000000055511` is not (it would come back as `0.1`).
 */
export function isRepresentableAsDouble(decimal: CanonicalDecimal): boolean {
  const value = Number(decimal);
  return Number.isFinite(value) && decimalFromNumber(value) === decimal;
}

/** Compares two canonical decimals numerically without converting them to doubles. */
export function compareDecimals(a: CanonicalDecimal, b: CanonicalDecimal): number {
  const negativeA = a.startsWith("-");
  const negativeB = b.startsWith("-");
  if (negativeA !== negativeB) return negativeA ? -1 : 1;
  const magnitude = compareMagnitudes(a.replace(/^-/, ""), b.replace(/^-/, ""));
  return negativeA ? -magnitude : magnitude;
}

function compareMagnitudes(a: string, b: string): number {
  const [integerA = "", fractionA = ""] = a.split(".");
  const [integerB = "", fractionB = ""] = b.split(".");
  if (integerA.length !== integerB.length) return integerA.length < integerB.length ? -1 : 1;
  if (integerA !== integerB) return integerA < integerB ? -1 : 1;
  const width = Math.max(fractionA.length, fractionB.length);
  const paddedA = fractionA.padEnd(width, "0");
  const paddedB = fractionB.padEnd(width, "0");
  return paddedA === paddedB ? 0 : paddedA < paddedB ? -1 : 1;
}

function shiftParts(negative: boolean, integer: string, fraction: string, places: number): CanonicalDecimal {
  let digits = integer + fraction;
  let pointAt = integer.length + places;
  if (pointAt < 0) {
    digits = "0".repeat(-pointAt) + digits;
    pointAt = 0;
  }
  if (pointAt > digits.length) digits = digits.padEnd(pointAt, "0");
  return canonicalParts(negative, digits.slice(0, pointAt) || "0", digits.slice(pointAt));
}

function canonicalParts(negative: boolean, integer: string, fraction: string): CanonicalDecimal {
  const integerPart = integer.replace(/^0+(?=\d)/, "");
  const fractionPart = fraction.replace(/0+$/, "");
  const magnitude = fractionPart === "" ? integerPart : `${integerPart}.${fractionPart}`;
  return negative && magnitude !== "0" ? `-${magnitude}` : magnitude;
}
