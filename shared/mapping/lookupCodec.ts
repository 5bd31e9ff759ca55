import type { CanonicalValue } from "../sync/canonicalValue";
import { normaliseText } from "./canonicalText";
import { escapeText, isStorableText, renderInlineText } from "./cellRendering";
import { failure, type Outcome, quote, success, type TypeCodec } from "./fieldCodec";

/** One item of the list a lookup column points at: its id and the value the column shows. */
export interface LookupEntry {
  readonly id: string;
  readonly value: string;
}

/**
 * Lookup, single or multiple: stored by id, shown by value. Canonical: the item id as a decimal string (`"13"`), or
 * for multiple the set ordered by number; none → `null`. Confluence shows the looked-up values; reading a value back
 * needs the target list's entries (`lookups` in `buildFieldCodecs`), and a value that is missing or shared by two
 * items is refused rather than matched to a guess.
 */
export function lookupCodec(name: string, multiple: boolean, entries: readonly LookupEntry[] | undefined): TypeCodec {
  const lookupKey = `${name}LookupId`;
  const valueById = new Map<string, string>();
  const idsByValue = new Map<string, string[]>();
  for (const entry of entries ?? []) {
    const value = normaliseText(entry.value);
    valueById.set(String(entry.id), value);
    idsByValue.set(value, [...(idsByValue.get(value) ?? []), String(entry.id)]);
  }
  const check = (value: CanonicalValue): Outcome<string[]> => {
    const ids =
      value === null
        ? []
        : !multiple && typeof value === "string"
          ? [value]
          : multiple && Array.isArray(value)
            ? value
            : undefined;
    if (ids === undefined || !ids.every((id): id is string => typeof id === "string" && /^\d+$/.test(id))) {
      return failure(
        "FIELD_VALUE_INVALID",
        `${quote(value)} is not ${multiple ? "a set of lookup ids" : "a lookup id"}`,
      );
    }
    return success(ids);
  };
  const fromIds = (ids: string[]): Outcome<CanonicalValue> => {
    const set = [...new Set(ids)].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    if (set.length === 0) return success(null);
    if (!multiple && set.length > 1)
      return failure("FIELD_VALUE_INVALID", `${set.length} values given; this column holds one`);
    return success(multiple ? set : (set[0] ?? null));
  };
  const valueFor = (id: string): Outcome<string> => {
    const value = valueById.get(id);
    if (value === undefined)
      return failure("FIELD_REFERENCE_UNRESOLVED", `lookup id ${id} is not among the lookup list's items`);
    if ((idsByValue.get(value)?.length ?? 0) > 1) {
      return failure(
        "FIELD_VALUE_NOT_REPRESENTABLE",
        `lookup value ${quote(value)} belongs to several items; a Confluence cell could not tell them apart`,
      );
    }
    if (!isStorableText(value) || (multiple && /[,;\n]/.test(value)))
      return failure("FIELD_VALUE_NOT_REPRESENTABLE", `lookup value ${quote(value)} cannot be written in a cell`);
    return success(value);
  };
  return {
    kind: multiple ? "lookupMulti" : "lookup",
    sharePointKeys: multiple ? [name] : [lookupKey],
    fromSharePoint(fields) {
      const raw = fields[name];
      const rawIds: unknown[] = Array.isArray(raw)
        ? raw.map((item) =>
            typeof item === "object" && item !== null ? (item as Record<string, unknown>).LookupId : item,
          )
        : Array.isArray(fields[lookupKey])
          ? (fields[lookupKey] as unknown[])
          : fields[lookupKey] === undefined || fields[lookupKey] === null || fields[lookupKey] === ""
            ? []
            : [fields[lookupKey]];
      const ids = rawIds.map((id) => String(id));
      const bad = ids.find((id) => !/^\d+$/.test(id));
      if (bad !== undefined) return failure("FIELD_VALUE_INVALID", `expected lookup ids, got ${quote(bad)}`);
      return fromIds(ids.filter((id) => id !== "0"));
    },
    fromConfluence(cell) {
      const texts = (multiple ? cell.text.split(/[,;\n]/) : [cell.text])
        .map(normaliseText)
        .filter((text) => text !== "");
      if (texts.length > 0 && entries === undefined)
        return failure("FIELD_REFERENCE_UNRESOLVED", "the lookup list's values were not given to the mapper");
      const ids: string[] = [];
      for (const text of texts) {
        const matches = idsByValue.get(text) ?? [];
        if (matches.length > 1)
          return failure(
            "FIELD_VALUE_INVALID",
            `${quote(text)} matches ${matches.length} items of the lookup list (ids ${matches.join(", ")})`,
          );
        const id = matches[0];
        if (id === undefined)
          return failure("FIELD_REFERENCE_UNRESOLVED", `${quote(text)} is not a value of the lookup list`);
        ids.push(id);
      }
      return fromIds(ids);
    },
    toSharePoint(value) {
      const checked = check(value);
      if (!checked.ok) return checked;
      const ids = checked.value.map(Number);
      if (multiple) return success({ [`${lookupKey}@odata.type`]: "Collection(Edm.Int32)", [lookupKey]: ids });
      return success({ [lookupKey]: ids[0] ?? null });
    },
    toConfluence(value, style) {
      const checked = check(value);
      if (!checked.ok) return checked;
      const values: string[] = [];
      for (const id of checked.value) {
        const found = valueFor(id);
        if (!found.ok) return found;
        values.push(found.value);
      }
      if (!multiple) return success([renderInlineText(values[0] ?? "", style) ?? ""]);
      return success([values.map(escapeText).join(", ")]);
    },
  };
}
