import { dateInTimeZone, startOfDateInTimeZone } from "../../../shared/mapping/canonicalDate";
import type { ColumnDefinition } from "../../../shared/mapping/columnDefinition";
import { type ColumnKind, isLookupKind, SYSTEM_FIELD_NAMES } from "./listColumns";
import type { ListState } from "./listStore";

/** A refused write, in the terms Graph answers it (always 400). */
export interface FieldWriteError {
  code: "invalidRequest" | "generalException";
  message: string;
}

export type FieldWriteResult = { ok: true; values: Record<string, unknown> } | { ok: false; error: FieldWriteError };

/** Display value of a lookup target (the target list's column, or a site user), for multi-value read shapes. */
export type LookupResolver = (
  column: ColumnDefinition,
  kind: ColumnKind,
  lookupId: number,
) => { LookupValue: string; Email?: string };

/**
 * - `api`: a Graph `POST …/items` `fields` or `PATCH …/fields` body, validated as SharePoint does it through Graph
 *   (multi-value columns need their `@odata.type` Collection annotation, lookups are written as `XLookupId`,
 *   hyperlinks as the `hyperlinkWrites` setting says, unknown and read-only fields are refused).
 * - `person`: an edit in the SharePoint UI (the admin surface and seeds), given in the shape Graph reads values.
 */
export type WriteMode = "api" | "person";

/**
 * Which hyperlink write Graph takes (docs/emulators.md#graph-settings): `objectWithApiVersion` (default) only
 * `{Url, Description}` on a request with `Prefer: apiversion=2.1`; `textOnly` only the `"url, description"` string;
 * `none` neither. Everything else is 400 `invalidRequest`.
 */
export type HyperlinkWriteRule = "objectWithApiVersion" | "textOnly" | "none";

const UNTYPED_COLLECTION =
  "A value without a type name was found and no expected type is available. When the model is specified, each value in the payload must have a type which can be either specified in the payload, explicitly by the caller or implicitly inferred from the parent value.";

/** Applies `patch` over `current` (a fieldValueSet in read shape); other values are left alone, `null` clears. */
export function applyFieldWrite(
  list: ListState,
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
  options: {
    mode: WriteMode;
    resolve: LookupResolver;
    /** For `api` writes: the hyperlink rule, and whether the request carried `Prefer: apiversion=2.1`. */
    hyperlinks?: { rule: HyperlinkWriteRule; apiVersion21: boolean };
    /** The site's time zone: a date-only value is stored as midnight of its date there. Default UTC. */
    siteTimeZone?: string;
  },
): FieldWriteResult {
  const { mode, resolve } = options;
  const siteTimeZone = options.siteTimeZone ?? "UTC";
  const hyperlinks = options.hyperlinks ?? { rule: "objectWithApiVersion", apiVersion21: false };
  const values = { ...current };
  const annotations = new Map<string, unknown>();
  for (const [key, value] of Object.entries(patch)) {
    const at = key.indexOf("@odata.type");
    if (at > 0) annotations.set(key.slice(0, at), value);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("@") || key.includes("@")) continue;
    const failure = writeOne(list, values, key, value, annotations.get(key), mode, resolve, hyperlinks, siteTimeZone);
    if (failure) return { ok: false, error: failure };
  }
  return { ok: true, values };
}

function writeOne(
  list: ListState,
  values: Record<string, unknown>,
  key: string,
  value: unknown,
  annotation: unknown,
  mode: WriteMode,
  resolve: LookupResolver,
  hyperlinks: { rule: HyperlinkWriteRule; apiVersion21: boolean },
  siteTimeZone: string,
): FieldWriteError | undefined {
  if (SYSTEM_FIELD_NAMES.has(key)) return readOnly(key);
  const direct = list.column(key);
  const viaLookupId = !direct && key.endsWith("LookupId") ? list.column(key.slice(0, -"LookupId".length)) : undefined;
  const found = direct ?? (viaLookupId && isLookupKind(viaLookupId.kind) ? viaLookupId : undefined);
  if (!found) return { code: "invalidRequest", message: `Field '${key}' is not recognized` };
  const { column, kind } = found;
  if (column.readOnly || kind === "calculated") return readOnly(key);
  const name = column.name;

  if (value === null) {
    delete values[name];
    delete values[`${name}LookupId`];
    return undefined;
  }

  if (isLookupKind(kind)) return writeLookup(values, column, kind, key === name, value, annotation, mode, resolve);

  switch (kind) {
    case "text":
    case "choice":
    case "other":
      if (typeof value !== "string") return convert(value, "Edm.String");
      values[name] = value;
      return undefined;
    case "number":
    case "currency": {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && value.trim() !== ""
            ? Number(value)
            : Number.NaN;
      if (!Number.isFinite(n)) return convert(value, "Edm.Double");
      values[name] = n;
      return undefined;
    }
    case "boolean":
      if (typeof value !== "boolean") return convert(value, "Edm.Boolean");
      values[name] = value;
      return undefined;
    case "dateTime": {
      if (typeof value !== "string" || Number.isNaN(Date.parse(value))) return convert(value, "Edm.DateTimeOffset");
      // A date-only column keeps the date the instant falls on in the site's zone, as that date's local midnight.
      const instant =
        column.dateTime?.format === "dateOnly"
          ? startOfDateInTimeZone(dateInTimeZone(Date.parse(value), siteTimeZone), siteTimeZone)
          : Date.parse(value);
      values[name] = new Date(instant).toISOString().replace(/\.\d{3}Z$/, "Z");
      return undefined;
    }
    case "multiChoice": {
      if (!Array.isArray(value)) return { code: "generalException", message: "General exception while processing" };
      if (mode === "api" && annotation !== "Collection(Edm.String)")
        return { code: "invalidRequest", message: UNTYPED_COLLECTION };
      if (!value.every((v) => typeof v === "string")) return convert(value, "Collection(Edm.String)");
      if (value.length === 0) delete values[name];
      else values[name] = [...value];
      return undefined;
    }
    case "hyperlink": {
      // What a person types and what Graph takes differ; Graph's rule is the `hyperlinkWrites` setting.
      const textAllowed = mode === "person" || hyperlinks.rule === "textOnly";
      const objectAllowed =
        mode === "person" || (hyperlinks.rule === "objectWithApiVersion" && hyperlinks.apiVersion21);
      if (typeof value === "string" && textAllowed) {
        const comma = value.indexOf(", ");
        values[name] =
          comma === -1
            ? { Description: value, Url: value }
            : { Description: value.slice(comma + 2), Url: value.slice(0, comma) };
        return undefined;
      }
      if (isHyperlink(value) && objectAllowed) {
        values[name] = { Description: value.Description ?? value.Url, Url: value.Url };
        return undefined;
      }
      return { code: "invalidRequest", message: "Invalid request" };
    }
    case "term":
      if (mode === "api") return readOnly(key);
      values[name] = value;
      return undefined;
  }
  return undefined;
}

function writeLookup(
  values: Record<string, unknown>,
  column: ColumnDefinition,
  kind: "lookup" | "multiLookup" | "person" | "multiPerson",
  byDisplayName: boolean,
  value: unknown,
  annotation: unknown,
  mode: WriteMode,
  resolve: LookupResolver,
): FieldWriteError | undefined {
  const name = column.name;
  const multi = kind === "multiLookup" || kind === "multiPerson";
  if (!multi) {
    // Read shape and write shape agree for single lookups: `XLookupId`, a numeric string (numbers accepted too).
    if (byDisplayName)
      return {
        code: "invalidRequest",
        message: `Field '${name}' is a lookup field; write its id to '${name}LookupId'`,
      };
    const id = lookupId(value);
    if (id === undefined) return convert(value, "Edm.Int32");
    values[`${name}LookupId`] = String(id);
    return undefined;
  }
  let ids: number[];
  if (byDisplayName) {
    // Only a person edit (or a seed) gives multi values in their read shape: `[{LookupId, LookupValue}]`.
    if (mode === "api" || !Array.isArray(value))
      return {
        code: "invalidRequest",
        message: `Field '${name}' is a lookup field; write its ids to '${name}LookupId'`,
      };
    const parsed = value.map((v) =>
      typeof v === "object" && v !== null ? lookupId((v as { LookupId?: unknown }).LookupId) : undefined,
    );
    if (parsed.some((v) => v === undefined)) return convert(value, "Collection(Edm.Int32)");
    ids = parsed as number[];
  } else {
    if (!Array.isArray(value)) return convert(value, "Collection(Edm.Int32)");
    if (mode === "api" && annotation !== "Collection(Edm.Int32)" && annotation !== "Collection(Edm.String)") {
      return { code: "invalidRequest", message: UNTYPED_COLLECTION };
    }
    const parsed = value.map(lookupId);
    if (parsed.some((v) => v === undefined)) return convert(value, "Collection(Edm.Int32)");
    ids = parsed as number[];
  }
  if (ids.length === 0) delete values[name];
  else values[name] = ids.map((id) => ({ LookupId: id, ...resolve(column, kind, id) }));
  return undefined;
}

function lookupId(value: unknown): number | undefined {
  const n =
    typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function isHyperlink(value: unknown): value is { Url: string; Description?: string } {
  return typeof value === "object" && value !== null && typeof (value as { Url?: unknown }).Url === "string";
}

function readOnly(key: string): FieldWriteError {
  return { code: "invalidRequest", message: `Field '${key}' is read-only` };
}

function convert(value: unknown, type: string): FieldWriteError {
  return {
    code: "invalidRequest",
    message: `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${type}'.`,
  };
}
