/** The OData query options the list endpoints honour, parsed from a raw query string. */
export interface ListQuery {
  /** `expand=fields` / `$expand=fields(...)` was given. */
  expandFields: boolean;
  /** Names inside `fields(select=…)` / `fields($select=…)`. */
  select?: Set<string>;
  top?: number;
  skiptoken?: string;
  filter?: string;
  /** `token` of `items/delta`. */
  token?: string;
  /** The raw `name=value` pairs in request order, for links that repeat "all the other query parameters". */
  raw: Array<[string, string]>;
}

export type ParsedQuery = { ok: true; query: ListQuery } | { ok: false; message: string };

/**
 * Accepts both spellings clients use (`expand`/`$expand`, `select`/`$select` inside `fields(...)`), as Graph does.
 * Values are form-decoded (`+` is a space); tokens the emulator emits are percent-encoded, so they survive.
 */
export function parseListQuery(rawQuery: string): ParsedQuery {
  const raw: Array<[string, string]> = [];
  const query: ListQuery = { expandFields: false, raw };
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    const value = decode(eq === -1 ? "" : part.slice(eq + 1));
    raw.push([name, value]);
    switch (name.toLowerCase()) {
      case "expand":
      case "$expand": {
        const expanded = parseExpand(value);
        if (!expanded.ok) return expanded;
        if (expanded.fields) {
          query.expandFields = true;
          if (expanded.select) query.select = expanded.select;
        }
        break;
      }
      case "$top":
      case "top": {
        if (!/^\d+$/.test(value) || Number(value) < 1)
          return { ok: false, message: `Invalid value '${value}' for $top. It must be a positive integer.` };
        query.top = Number(value);
        break;
      }
      case "$skiptoken":
        query.skiptoken = value;
        break;
      case "$filter":
      case "filter":
        query.filter = value;
        break;
      case "token":
        query.token = value;
        break;
      default:
        break;
    }
  }
  return { ok: true, query };
}

function parseExpand(
  value: string,
): { ok: true; fields: boolean; select?: Set<string> } | { ok: false; message: string } {
  let fields = false;
  let select: Set<string> | undefined;
  for (const clause of splitTopLevel(value)) {
    const match = /^(\w+)(?:\((.*)\))?$/.exec(clause.trim());
    if (!match) return { ok: false, message: `Invalid $expand expression '${value}'.` };
    if (match[1] !== "fields") continue;
    fields = true;
    const inner = match[2];
    if (inner === undefined || inner.trim() === "") continue;
    const sel = /^\$?select=(.*)$/i.exec(inner.trim());
    if (!sel) return { ok: false, message: `Invalid $expand options '${inner}'.` };
    select = new Set(
      sel[1]!
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return select ? { ok: true, fields, select } : { ok: true, fields };
}

function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out.filter((s) => s.trim() !== "");
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** `$skiptoken` of list items: base64 of `Paged=TRUE&p_ID={last id of the page}`, unpadded, as seen in a real tenant. */
export function encodeSkipToken(lastId: number): string {
  return Buffer.from(`Paged=TRUE&p_ID=${lastId}`, "utf8").toString("base64").replace(/=+$/, "");
}

export function decodeSkipToken(token: string): number | undefined {
  const text = Buffer.from(token.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  const match = /(?:^|&)p_ID=(\d+)(?:&|$)/.exec(text);
  return match ? Number(match[1]) : undefined;
}
