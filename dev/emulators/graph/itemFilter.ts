import type { ListState, StoredItem } from "./listStore";

/**
 * The minimal `$filter` of list items: comparisons (`eq ne lt gt le ge`) and `startswith(…)` on `fields/{name}`
 * (single lookups as `fields/{name}LookupId`), joined with `and`. Literals: 'quoted strings' ('' escapes a quote),
 * numbers, true, false, null.
 */
export type ItemFilter = { predicate: (item: StoredItem) => boolean; fieldNames: string[] };

type Literal = string | number | boolean | null;
type Clause = { op: "eq" | "ne" | "lt" | "gt" | "le" | "ge" | "startswith"; field: string; literal: Literal };

export function parseItemFilter(expression: string): { ok: true; filter: ItemFilter } | { ok: false; message: string } {
  const clauses: Clause[] = [];
  for (const part of expression.split(/\s+and\s+/i)) {
    const clause = parseClause(part.trim());
    if (!clause) return { ok: false, message: `Invalid filter clause '${part.trim()}'.` };
    clauses.push(clause);
  }
  return {
    ok: true,
    filter: {
      fieldNames: clauses.map((c) => c.field),
      predicate: (item) => clauses.every((c) => test(c, item)),
    },
  };
}

function parseClause(text: string): Clause | undefined {
  const starts = /^startswith\(\s*fields\/(\w+)\s*,\s*(.+)\)$/i.exec(text);
  if (starts) {
    const literal = parseLiteral(starts[2]!.trim());
    return typeof literal === "string" ? { op: "startswith", field: starts[1]!, literal } : undefined;
  }
  const compare = /^fields\/(\w+)\s+(eq|ne|lt|gt|le|ge)\s+(.+)$/i.exec(text);
  if (!compare) return undefined;
  const literal = parseLiteral(compare[3]!.trim());
  return literal === undefined
    ? undefined
    : { op: compare[2]!.toLowerCase() as Clause["op"], field: compare[1]!, literal };
}

function parseLiteral(text: string): Literal | undefined {
  if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "null") return null;
  return undefined;
}

function test(clause: Clause, item: StoredItem): boolean {
  const raw = clause.field === "ID" ? item.id : item.values[clause.field];
  const value = raw === undefined ? null : raw;
  const literal =
    typeof value === "number" && typeof clause.literal === "string" && clause.literal.trim() !== ""
      ? Number(clause.literal)
      : clause.literal;
  switch (clause.op) {
    case "startswith":
      return typeof value === "string" && typeof literal === "string" && value.startsWith(literal);
    case "eq":
      return looseEqual(value, literal);
    case "ne":
      return !looseEqual(value, literal);
    default: {
      if (value === null || literal === null) return false;
      const a = value as string | number | boolean;
      const b = literal as string | number | boolean;
      return clause.op === "lt" ? a < b : clause.op === "gt" ? a > b : clause.op === "le" ? a <= b : a >= b;
    }
  }
}

function looseEqual(value: unknown, literal: Literal): boolean {
  // Lookup ids are stored as numeric strings but filtered as numbers (`fields/OwnerLookupId eq 10`).
  if (typeof value === "string" && typeof literal === "number") return Number(value) === literal;
  return value === literal;
}

/** Whether every filtered column is indexed, which SharePoint requires unless the caller opts into the risk. */
export function nonIndexedField(list: ListState, filter: ItemFilter): string | undefined {
  return filter.fieldNames.find((name) => {
    const base = list.column(name) ?? list.column(name.replace(/LookupId$/, ""));
    return !base?.column.indexed;
  });
}
