/**
 * Just enough of Bicep's syntax to check infra/ against the code without a Bicep compiler (none is installable here):
 * top-level declarations, object literals as key → expression text, and nothing else. Expressions stay text; the tests
 * compare them as written. Comments are dropped, and strings (including `${…}` interpolation and `'''` blocks) are
 * opaque, so a brace or a keyword inside either never confuses the structure.
 */

export interface ParamDecl {
  readonly name: string;
  readonly type: string;
  /** The default expression as written, if the parameter has one. */
  readonly defaultValue: string | undefined;
  /** Decorators as written, e.g. `@secure()`, `@allowed([…])`. */
  readonly decorators: readonly string[];
}

export interface ResourceDecl {
  readonly symbol: string;
  /** e.g. `Microsoft.Web/sites`. */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The object literal's body (between the braces). */
  readonly body: string;
}

export interface ModuleDecl {
  readonly symbol: string;
  readonly path: string;
  /** The `if (…)` condition, without the parentheses, when the module is conditional. */
  readonly condition: string | undefined;
  readonly body: string;
}

export interface OutputDecl {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

export interface BicepFile {
  readonly params: readonly ParamDecl[];
  readonly vars: ReadonlyMap<string, string>;
  readonly resources: readonly ResourceDecl[];
  readonly modules: readonly ModuleDecl[];
  readonly outputs: readonly OutputDecl[];
  /** The source with comments blanked out (same length, same line numbers). */
  readonly code: string;
}

/** Parses the declarations of one Bicep file. */
export function parseBicep(source: string): BicepFile {
  const { code, masked } = scan(source);
  const params: ParamDecl[] = [];
  const vars = new Map<string, string>();
  const resources: ResourceDecl[] = [];
  const modules: ModuleDecl[] = [];
  const outputs: OutputDecl[] = [];
  let decorators: string[] = [];

  for (const { text, maskedText } of statements(code, masked, 0, code.length, false)) {
    if (text.startsWith("@")) {
      decorators.push(text);
      continue;
    }
    const keyword = /^(\w+)/.exec(text)?.[1];
    if (keyword === "param") {
      const match = /^param\s+(\w+)\s+([\w.]+)(?:\s*=\s*([\s\S]+))?$/.exec(text);
      if (match?.[1] && match[2])
        params.push({ name: match[1], type: match[2], defaultValue: match[3]?.trim(), decorators });
    } else if (keyword === "var") {
      const match = /^var\s+(\w+)\s*=\s*([\s\S]+)$/.exec(text);
      if (match?.[1] && match[2]) vars.set(match[1], match[2].trim());
    } else if (keyword === "output") {
      const match = /^output\s+(\w+)\s+([\w.]+)\s*=\s*([\s\S]+)$/.exec(text);
      if (match?.[1] && match[2] && match[3]) outputs.push({ name: match[1], type: match[2], value: match[3].trim() });
    } else if (keyword === "resource") {
      const match = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing\s*)?=/.exec(text);
      if (match?.[1] && match[2] && match[3]) {
        resources.push({
          symbol: match[1],
          type: match[2],
          apiVersion: match[3],
          existing: match[4] !== undefined,
          body: declarationBody(text, maskedText),
        });
      }
    } else if (keyword === "module") {
      const match = /^module\s+(\w+)\s+'([^']+)'\s*=\s*(?:if\s*\(([\s\S]*?)\)\s*)?\{/.exec(text);
      if (match?.[1] && match[2]) {
        modules.push({
          symbol: match[1],
          path: match[2],
          condition: match[3]?.trim(),
          body: declarationBody(text, maskedText),
        });
      }
    }
    decorators = [];
  }
  return { params, vars, resources, modules, outputs, code };
}

/**
 * The top-level entries of an object literal body, as `[key, expression]` in source order. Keys lose their quotes
 * (`'azd-service-name'` → `azd-service-name`); interpolated keys keep their text (`${identityResourceId}`).
 */
export function objectEntries(body: string): Array<[string, string]> {
  const { code, masked } = scan(body);
  const entries: Array<[string, string]> = [];
  for (const { text, maskedText } of statements(code, masked, 0, code.length, true)) {
    const colon = maskedText.search(/:/);
    if (colon < 0) continue;
    const key = text
      .slice(0, colon)
      .trim()
      .replace(/^'(.*)'$/s, "$1");
    entries.push([key, text.slice(colon + 1).trim()]);
  }
  return entries;
}

/** The expression of one top-level key of an object literal body. */
export function property(body: string, key: string): string | undefined {
  return objectEntries(body).find(([k]) => k === key)?.[1];
}

/** The body of an object literal expression `{ … }` (or undefined when the expression is something else). */
export function objectBody(expression: string | undefined): string | undefined {
  const trimmed = expression?.trim();
  if (!trimmed?.startsWith("{")) return undefined;
  const { masked } = scan(trimmed);
  const end = matchingClose(masked, 0);
  return trimmed.slice(1, end);
}

/** A Bicep string literal's value (`'abc'` → `abc`), or undefined when the expression is not a plain literal. */
export function stringLiteral(expression: string | undefined): string | undefined {
  const match = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/s.exec(expression?.trim() ?? "");
  return match?.[1]?.replace(/\\(.)/g, "$1");
}

// --- scanning ---------------------------------------------------------------------------------------------------

/**
 * Blanks comments (in `code`) and additionally string contents (in `masked`), keeping lengths and newlines, so that
 * offsets line up and structure can be found in `masked` while text is read from `code`.
 */
function scan(source: string): { code: string; masked: string } {
  const code = source.split("");
  const masked = source.split("");
  const blank = (target: string[], from: number, to: number) => {
    for (let i = from; i < to; i++) if (target[i] !== "\n") target[i] = " ";
  };
  let i = 0;
  while (i < source.length) {
    // A line comment ends before its newline, a block comment after its `*/`.
    const closer = source.startsWith("//", i) ? "\n" : source.startsWith("/*", i) ? "*/" : undefined;
    if (closer !== undefined) {
      const end = source.indexOf(closer, i + 2);
      const stop = end < 0 ? source.length : closer === "\n" ? end : end + closer.length;
      blank(code, i, stop);
      blank(masked, i, stop);
      i = stop;
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      const stop = end < 0 ? source.length : end + 3;
      blank(masked, i + 3, stop - 3);
      i = stop;
    } else if (source[i] === "'") {
      const stop = skipString(source, i);
      blank(masked, i + 1, stop - 1);
      i = stop;
    } else {
      i++;
    }
  }
  return { code: code.join(""), masked: masked.join("") };
}

/** Index just past the string literal opening at `start`, stepping over `${…}` interpolations and their strings. */
function skipString(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === "\\") {
      i += 2;
    } else if (char === "'") {
      return i + 1;
    } else if (source.startsWith("${", i)) {
      let depth = 1;
      i += 2;
      while (i < source.length && depth > 0) {
        if (source[i] === "'") {
          i = skipString(source, i);
          continue;
        }
        if (source[i] === "{") depth++;
        if (source[i] === "}") depth--;
        i++;
      }
    } else {
      i++;
    }
  }
  return source.length;
}

const OPENERS = "([{";
const CLOSERS = ")]}";

/** Index of the bracket closing the one at `open` (in masked text). */
function matchingClose(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const char = masked[i] ?? "";
    if (OPENERS.includes(char)) depth++;
    if (CLOSERS.includes(char)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return masked.length;
}

/** Statements between `from` and `to`: split at newlines (and commas, inside objects) outside any bracket. */
function* statements(
  code: string,
  masked: string,
  from: number,
  to: number,
  splitOnCommas: boolean,
): Generator<{ text: string; maskedText: string }> {
  let depth = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    const char = i < to ? (masked[i] ?? "") : "\n";
    if (OPENERS.includes(char)) depth++;
    else if (CLOSERS.includes(char)) depth--;
    else if (depth === 0 && (char === "\n" || (splitOnCommas && char === ","))) {
      const text = code.slice(start, i);
      const trimmedStart = text.length - text.trimStart().length;
      const cleaned = text.trim();
      if (cleaned !== "") {
        yield { text: cleaned, maskedText: masked.slice(start + trimmedStart, start + trimmedStart + cleaned.length) };
      }
      start = i + 1;
    }
  }
}

/** The object body of a `resource`/`module` declaration: what lies between its first `{` after `=` and the match. */
function declarationBody(text: string, maskedText: string): string {
  const equals = maskedText.indexOf("=");
  let open = maskedText.indexOf("{", equals);
  // `= if (cond) {`: the condition may itself contain braces only inside strings, which are masked.
  const conditional = /^\s*if\s*\(/.exec(maskedText.slice(equals + 1));
  if (conditional) {
    const parenOpen = maskedText.indexOf("(", equals);
    open = maskedText.indexOf("{", matchingClose(maskedText, parenOpen));
  }
  if (open < 0) return "";
  return text.slice(open + 1, matchingClose(maskedText, open));
}
