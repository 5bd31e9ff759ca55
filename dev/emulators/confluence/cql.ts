/**
 * The subset of CQL (Confluence Query Language) the emulator's v1 search understands, parsed into a small AST and
 * evaluated against pages (docs/references.md#confluence-cql-search):
 * - fields `type`, `space` (key), `id` (and its alias `content`), `parent`, `ancestor` (any page above), `title`,
 *   `label`, `lastmodified`, `created`;
 * - operators `= != > >= < <= ~ !~ in` and `not in`; `AND`, `OR`, `NOT`, parentheses; `ORDER BY f [ASC|DESC], …`;
 * - dates as `"yyyy/MM/dd HH:mm"`, `"yyyy-MM-dd HH:mm"`, `"yyyy/MM/dd"`, `"yyyy-MM-dd"` in the searching user's time
 *   zone, or functions `now("-4w")`, `startOfDay("-1d")`, `endOfDay()`, `startOfMonth()`, `endOfMonth()`
 *   with increments `(+|-)nn(y|M|w|d|h|m)`; comparisons at minute precision, as Confluence does.
 */

export type CqlValue = { kind: "text"; text: string } | { kind: "function"; name: string; args: string[] };

export type CqlExpression =
  | { kind: "and" | "or"; left: CqlExpression; right: CqlExpression }
  | { kind: "not"; operand: CqlExpression }
  | { kind: "clause"; field: string; operator: CqlOperator; values: CqlValue[] };

export type CqlOperator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "~" | "!~" | "in" | "not in";

export interface CqlQuery {
  where: CqlExpression;
  orderBy: { field: string; direction: "asc" | "desc" }[];
}

/** What a search evaluates: one page, in the terms CQL speaks. */
export interface CqlDocument {
  id: string;
  type: "page";
  spaceKey: string;
  parentId: string | null;
  /** Every page above this one, nearest first (CQL `ancestor`). */
  ancestorIds: readonly string[];
  title: string;
  labels: readonly string[];
  createdMs: number;
  lastModifiedMs: number;
}

export interface CqlContext {
  nowMs: number;
  /** The searching user's offset from UTC, in minutes (dates in CQL are local to the user). */
  timeZoneOffsetMinutes: number;
}

export class CqlSyntaxError extends Error {}

const FIELDS = new Set([
  "type",
  "space",
  "id",
  "content",
  "parent",
  "ancestor",
  "title",
  "label",
  "lastmodified",
  "created",
]);
const DATE_FIELDS = new Set(["lastmodified", "created"]);

type Token = { kind: "word" | "string" | "op" | "paren" | "comma"; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== ch) {
        if (text[j] === "\\" && j + 1 < text.length) j += 1;
        value += text[j];
        j += 1;
      }
      if (j >= text.length) throw new CqlSyntaxError(`unterminated string starting at character ${i}`);
      tokens.push({ kind: "string", text: value, at: i });
      i = j + 1;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ kind: "paren", text: ch, at: i });
      i += 1;
    } else if (ch === ",") {
      tokens.push({ kind: "comma", text: ch, at: i });
      i += 1;
    } else {
      const op = /^(!=|!~|>=|<=|=|>|<|~)/.exec(text.slice(i));
      if (op) {
        tokens.push({ kind: "op", text: op[1]!, at: i });
        i += op[1]!.length;
        continue;
      }
      const word = /^[A-Za-z0-9_.:\-+~]+/.exec(text.slice(i));
      if (!word) throw new CqlSyntaxError(`unexpected character '${ch}' at character ${i}`);
      tokens.push({ kind: "word", text: word[0], at: i });
      i += word[0].length;
    }
  }
  return tokens;
}

/** Parses CQL text; throws CqlSyntaxError naming what and where for anything outside the subset. */
export function parseCql(text: string): CqlQuery {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (token: Token | undefined, word: string): boolean =>
    token?.kind === "word" && token.text.toLowerCase() === word;
  const expect = (predicate: (t: Token) => boolean, what: string): Token => {
    const token = tokens[pos];
    if (!token || !predicate(token))
      throw new CqlSyntaxError(`expected ${what} ${token ? `at character ${token.at}` : "at end of query"}`);
    pos += 1;
    return token;
  };

  const parseValue = (): CqlValue => {
    const token = expect((t) => t.kind === "word" || t.kind === "string", "a value");
    if (token.kind === "word" && peek()?.text === "(") {
      pos += 1;
      const args: string[] = [];
      while (peek()?.text !== ")") {
        args.push(expect((t) => t.kind === "string" || t.kind === "word", "a function argument").text);
        if (peek()?.kind === "comma") pos += 1;
      }
      pos += 1;
      return { kind: "function", name: token.text.toLowerCase(), args };
    }
    return { kind: "text", text: token.text };
  };

  const parseClause = (): CqlExpression => {
    if (peek()?.text === "(") {
      pos += 1;
      const inner = parseOr();
      expect((t) => t.text === ")", "')'");
      return inner;
    }
    if (isWord(peek(), "not")) {
      pos += 1;
      return { kind: "not", operand: parseClause() };
    }
    const fieldToken = expect((t) => t.kind === "word", "a field name");
    const field = fieldToken.text.toLowerCase();
    if (!FIELDS.has(field))
      throw new CqlSyntaxError(`unsupported field '${fieldToken.text}' at character ${fieldToken.at}`);
    let operator: CqlOperator;
    if (isWord(peek(), "in")) {
      pos += 1;
      operator = "in";
    } else if (isWord(peek(), "not") && isWord(tokens[pos + 1], "in")) {
      pos += 2;
      operator = "not in";
    } else {
      operator = expect((t) => t.kind === "op", "an operator").text as CqlOperator;
    }
    if (operator === "in" || operator === "not in") {
      expect((t) => t.text === "(", "'('");
      const values = [parseValue()];
      while (peek()?.kind === "comma") {
        pos += 1;
        values.push(parseValue());
      }
      expect((t) => t.text === ")", "')'");
      return validated({ kind: "clause", field, operator, values });
    }
    return validated({ kind: "clause", field, operator, values: [parseValue()] });
  };

  const parseAnd = (): CqlExpression => {
    let left = parseClause();
    while (isWord(peek(), "and")) {
      pos += 1;
      left = { kind: "and", left, right: parseClause() };
    }
    return left;
  };

  const parseOr = (): CqlExpression => {
    let left = parseAnd();
    while (isWord(peek(), "or")) {
      pos += 1;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };

  if (tokens.length === 0) throw new CqlSyntaxError("empty query");
  const where = parseOr();
  const orderBy: CqlQuery["orderBy"] = [];
  if (isWord(peek(), "order")) {
    pos += 1;
    if (!isWord(peek(), "by")) throw new CqlSyntaxError("expected BY after ORDER");
    pos += 1;
    do {
      if (peek()?.kind === "comma") pos += 1;
      const field = expect((t) => t.kind === "word", "a field to order by").text.toLowerCase();
      if (!FIELDS.has(field)) throw new CqlSyntaxError(`cannot order by '${field}'`);
      let direction: "asc" | "desc" = "asc";
      if (isWord(peek(), "asc") || isWord(peek(), "desc"))
        direction = tokens[pos++]!.text.toLowerCase() as "asc" | "desc";
      orderBy.push({ field, direction });
    } while (peek()?.kind === "comma");
  }
  if (pos < tokens.length)
    throw new CqlSyntaxError(`unexpected '${tokens[pos]!.text}' at character ${tokens[pos]!.at}`);
  return { where, orderBy };
}

/** Rejects, at parse time, clauses that could never be evaluated (so a bad query fails even on an empty site). */
function validated(clause: Extract<CqlExpression, { kind: "clause" }>): CqlExpression {
  const { field, operator, values } = clause;
  if (DATE_FIELDS.has(field)) {
    if (operator === "~" || operator === "!~") throw new CqlSyntaxError(`operator ${operator} is not valid for dates`);
    for (const value of values) dateValue(value, { nowMs: 0, timeZoneOffsetMinutes: 0 });
    return clause;
  }
  const fn = values.find((v) => v.kind === "function");
  if (fn?.kind === "function") throw new CqlSyntaxError(`function ${fn.name}() is not valid for field ${field}`);
  if ((operator === "~" || operator === "!~") && field !== "title")
    throw new CqlSyntaxError(`operator ${operator} is only supported for title`);
  if ([">", ">=", "<", "<="].includes(operator))
    throw new CqlSyntaxError(`operator ${operator} is not valid for field ${field}`);
  return clause;
}

export function matchesCql(expression: CqlExpression, doc: CqlDocument, context: CqlContext): boolean {
  switch (expression.kind) {
    case "and":
      return matchesCql(expression.left, doc, context) && matchesCql(expression.right, doc, context);
    case "or":
      return matchesCql(expression.left, doc, context) || matchesCql(expression.right, doc, context);
    case "not":
      return !matchesCql(expression.operand, doc, context);
    case "clause":
      return matchesClause(expression, doc, context);
  }
}

function matchesClause(
  clause: Extract<CqlExpression, { kind: "clause" }>,
  doc: CqlDocument,
  context: CqlContext,
): boolean {
  const { field, operator, values } = clause;
  if (DATE_FIELDS.has(field)) {
    const actual = truncateToMinute(field === "created" ? doc.createdMs : doc.lastModifiedMs);
    const wanted = values.map((v) => dateValue(v, context));
    return compare(operator, actual, wanted);
  }
  const texts = values.map((v) => (v.kind === "text" ? v.text : ""));
  const actual: readonly string[] =
    field === "type"
      ? [doc.type]
      : field === "space"
        ? [doc.spaceKey]
        : field === "id" || field === "content"
          ? [doc.id]
          : field === "parent"
            ? [doc.parentId ?? ""]
            : field === "ancestor"
              ? doc.ancestorIds
              : field === "title"
                ? [doc.title]
                : doc.labels;
  if (operator === "~" || operator === "!~") {
    const contains = actual.some((a) => a.toLowerCase().includes(texts[0]!.toLowerCase()));
    return operator === "~" ? contains : !contains;
  }
  const equalsAny = texts.some((t) =>
    actual.some((a) => (field === "space" ? a.toLowerCase() === t.toLowerCase() : a === t)),
  );
  switch (operator) {
    case "=":
    case "in":
      return equalsAny;
    default:
      // "!=" and "not in"; ordering operators were rejected by `validated`.
      return !equalsAny;
  }
}

function compare(operator: CqlOperator, actual: number, wanted: number[]): boolean {
  const first = wanted[0]!;
  switch (operator) {
    case "=":
      return actual === first;
    case "!=":
      return actual !== first;
    case ">":
      return actual > first;
    case ">=":
      return actual >= first;
    case "<":
      return actual < first;
    case "<=":
      return actual <= first;
    case "in":
      return wanted.includes(actual);
    default:
      // "not in"; `~` was rejected by `validated`.
      return !wanted.includes(actual);
  }
}

const MINUTE = 60_000;

function truncateToMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

/** A CQL date literal or function, as an instant truncated to the minute. */
export function dateValue(value: CqlValue, context: CqlContext): number {
  const offset = context.timeZoneOffsetMinutes * MINUTE;
  if (value.kind === "text") {
    const match = /^(\d{4})[-/](\d{2})[-/](\d{2})(?: (\d{2}):(\d{2}))?$/.exec(value.text);
    const separatorsAgree = value.text[4] === value.text[7];
    if (!match || !separatorsAgree) {
      throw new CqlSyntaxError(
        `'${value.text}' is not a date (use "yyyy/MM/dd HH:mm", "yyyy-MM-dd HH:mm", "yyyy/MM/dd" or "yyyy-MM-dd")`,
      );
    }
    const [, y, mo, d, h = "0", mi = "0"] = match;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) - offset;
  }
  const shifted = applyIncrement(context.nowMs + offset, value.args[0]);
  const local = new Date(shifted);
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const month = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1);
  const nextMonth = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1);
  const localResult: Record<string, number> = {
    now: shifted,
    startofday: day,
    endofday: day + 24 * 60 * MINUTE - MINUTE,
    startofmonth: month,
    endofmonth: nextMonth - MINUTE,
  };
  const result = localResult[value.name];
  if (result === undefined) throw new CqlSyntaxError(`unsupported function ${value.name}()`);
  return truncateToMinute(result - offset);
}

function applyIncrement(ms: number, increment: string | undefined): number {
  if (increment === undefined || increment === "") return ms;
  const match = /^([+-]?)(\d+)([yMwdhm])$/.exec(increment.trim());
  if (!match) throw new CqlSyntaxError(`'${increment}' is not a date increment like "-4w" or "+1d"`);
  const sign = match[1] === "-" ? -1 : 1;
  const n = sign * Number(match[2]);
  const date = new Date(ms);
  switch (match[3]) {
    case "y":
      return date.setUTCFullYear(date.getUTCFullYear() + n);
    case "M":
      return date.setUTCMonth(date.getUTCMonth() + n);
    case "w":
      return ms + n * 7 * 24 * 60 * MINUTE;
    case "d":
      return ms + n * 24 * 60 * MINUTE;
    case "h":
      return ms + n * 60 * MINUTE;
    default:
      return ms + n * MINUTE;
  }
}

/** Orders documents by the query's ORDER BY (ties and the default: by id, ascending numerically). */
export function compareByOrder(orderBy: CqlQuery["orderBy"], a: CqlDocument, b: CqlDocument): number {
  for (const { field, direction } of orderBy) {
    const sign = direction === "desc" ? -1 : 1;
    const va = orderValue(field, a);
    const vb = orderValue(field, b);
    if (va < vb) return -sign;
    if (va > vb) return sign;
  }
  return Number(a.id) - Number(b.id);
}

function orderValue(field: string, doc: CqlDocument): number | string {
  switch (field) {
    case "lastmodified":
      return doc.lastModifiedMs;
    case "created":
      return doc.createdMs;
    case "id":
      return Number(doc.id);
    case "title":
      return doc.title.toLowerCase();
    case "space":
      return doc.spaceKey;
    default:
      return "";
  }
}
