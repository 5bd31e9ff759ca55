/**
 * A field value in the one form both sides are compared in. Each SharePoint column type's codec (shared/mapping)
 * defines what its canonical value looks like (trimmed text, `YYYY-MM-DD` dates, sorted sets, decimal strings, …);
 * the sync rules only ever compare canonical values and their hashes. `null` means "empty".
 */
export type CanonicalValue = null | string | number | boolean | CanonicalValue[] | { [key: string]: CanonicalValue };

/**
 * Serialises a canonical value deterministically: object keys sorted by code unit, no whitespace. Two values are
 * the same field value exactly when their canonical JSON is equal. Throws on values JSON cannot carry faithfully
 * (NaN, ±Infinity, undefined), which would otherwise hash as `null` and hide a bug.
 */
export function canonicalJson(value: CanonicalValue): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`canonical values must be finite numbers, got ${value}`);
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys
      .map((key) => {
        const item = value[key];
        if (item === undefined) throw new TypeError(`canonical value has an undefined property "${key}"`);
        return `${JSON.stringify(key)}:${canonicalJson(item)}`;
      })
      .join(",")}}`;
  }
  throw new TypeError(`not a canonical value: ${typeof value}`);
}

export function canonicalEquals(a: CanonicalValue, b: CanonicalValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
