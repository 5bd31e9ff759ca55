/**
 * A parser for the part of Bicep that infra/ uses, producing a syntax tree with positions, so the type check
 * (bicepTypeCheck.ts) can walk every resource body and name the file, line and property path of what it finds.
 *
 * Why not the Bicep compiler: none can be installed here (the CLI is a .NET binary fetched at run time). Why not an npm
 * parser: the one maintained grammar on npm (tree-sitter-bicep) needs a native tree-sitter build. So this is written
 * for the subset in use, and it refuses, with an error naming the file and line, every construct it does not model
 * (user-defined types, functions, imports, nested resource declarations, ...): a template the parser cannot read fails
 * the check instead of being skipped.
 *
 * Covered: comments, decorators, targetScope / metadata / param / var / resource / module / output declarations,
 * `existing`, `if (...)` conditions and `[for ...]` loops on resources and modules, and the whole expression grammar:
 * strings (escapes, `${}` interpolation, `'''` multi-line), integers, booleans, null, objects (newline- or
 * comma-separated, quoted or interpolated keys), arrays, for-expressions, member and index access (`a.b`, `a.?b`,
 * `a[0]`, `a!`, `a::b`), calls (`f()`, `ns.f()`), unary / binary / `??` / ternary operators and lambdas.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type Expr =
  | { readonly kind: "string"; readonly pos: Position; readonly parts: readonly (string | Expr)[] }
  | { readonly kind: "int"; readonly pos: Position; readonly value: number }
  | { readonly kind: "bool"; readonly pos: Position; readonly value: boolean }
  | { readonly kind: "null"; readonly pos: Position }
  | { readonly kind: "object"; readonly pos: Position; readonly properties: readonly ObjectProperty[] }
  | { readonly kind: "array"; readonly pos: Position; readonly items: readonly Expr[] }
  | {
      readonly kind: "for";
      readonly pos: Position;
      readonly variables: readonly string[];
      readonly iterable: Expr;
      readonly condition: Expr | undefined;
      readonly body: Expr;
    }
  | { readonly kind: "ref"; readonly pos: Position; readonly name: string }
  | {
      readonly kind: "member";
      readonly pos: Position;
      readonly object: Expr;
      readonly name: string;
      readonly safe: boolean;
    }
  | {
      readonly kind: "index";
      readonly pos: Position;
      readonly object: Expr;
      readonly index: Expr;
      readonly safe: boolean;
    }
  | { readonly kind: "nonNull"; readonly pos: Position; readonly operand: Expr }
  | { readonly kind: "call"; readonly pos: Position; readonly callee: Expr; readonly args: readonly Expr[] }
  | { readonly kind: "unary"; readonly pos: Position; readonly op: "!" | "-"; readonly operand: Expr }
  | { readonly kind: "binary"; readonly pos: Position; readonly op: string; readonly left: Expr; readonly right: Expr }
  | {
      readonly kind: "ternary";
      readonly pos: Position;
      readonly condition: Expr;
      readonly whenTrue: Expr;
      readonly whenFalse: Expr;
    }
  | { readonly kind: "lambda"; readonly pos: Position; readonly parameters: readonly string[]; readonly body: Expr };

export interface ObjectProperty {
  readonly pos: Position;
  /** The key when it is a plain identifier or a non-interpolated string; undefined for an interpolated key. */
  readonly key: string | undefined;
  readonly keyExpr: Expr;
  readonly value: Expr;
}

export interface Decorator {
  readonly pos: Position;
  readonly name: string;
  readonly args: readonly Expr[];
}

export interface ParamDeclaration {
  readonly kind: "param";
  readonly pos: Position;
  readonly name: string;
  /** The type as written, e.g. `string`, `int`, `'a' | 'b'`. */
  readonly type: string;
  readonly defaultValue: Expr | undefined;
  readonly decorators: readonly Decorator[];
}

export interface ResourceDeclaration {
  readonly kind: "resource";
  readonly pos: Position;
  readonly symbol: string;
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The declaration's value: an object, or an `if`/`for` around one. */
  readonly value: DeclarationValue;
  readonly decorators: readonly Decorator[];
}

export interface ModuleDeclaration {
  readonly kind: "module";
  readonly pos: Position;
  readonly symbol: string;
  readonly path: string;
  readonly value: DeclarationValue;
  readonly decorators: readonly Decorator[];
}

export type DeclarationValue =
  | { readonly kind: "plain"; readonly body: Expr }
  | { readonly kind: "conditional"; readonly condition: Expr; readonly body: Expr }
  | { readonly kind: "loop"; readonly loop: Extract<Expr, { kind: "for" }> };

export interface VarDeclaration {
  readonly kind: "var";
  readonly pos: Position;
  readonly name: string;
  readonly value: Expr;
}

export interface OutputDeclaration {
  readonly kind: "output";
  readonly pos: Position;
  readonly name: string;
  readonly type: string;
  readonly value: Expr;
}

export interface BicepProgram {
  readonly targetScope: string;
  readonly params: readonly ParamDeclaration[];
  readonly vars: readonly VarDeclaration[];
  readonly resources: readonly ResourceDeclaration[];
  readonly modules: readonly ModuleDeclaration[];
  readonly outputs: readonly OutputDeclaration[];
}

/** A construct the parser does not read, or text that is not Bicep. Carries the position for the message. */
export class BicepSyntaxError extends Error {
  override readonly name = "BicepSyntaxError";
  constructor(
    message: string,
    readonly pos: Position,
  ) {
    super(`${pos.line}:${pos.column}: ${message}`);
  }
}

// --- lexer ------------------------------------------------------------------------------------------------------

type TokenKind = "ident" | "int" | "string" | "punct" | "newline" | "eof";

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: Position;
  /** For strings: literal chunks and the raw source of each `${...}` hole, parsed later. */
  readonly parts?: readonly (string | { readonly source: string; readonly pos: Position })[];
}

// Longest first, so `==` wins over `=` and `??` over `?`.
const PUNCTUATORS = [
  "...",
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "=~",
  "!~",
  "??",
  ".?",
  "::",
  "=>",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  ",",
  ":",
  ".",
  "?",
  "!",
  "=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "@",
  "|",
];

function tokenize(source: string, origin: Position = { line: 1, column: 1 }): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = origin.line;
  let column = origin.column;
  const advance = (count: number) => {
    for (let k = 0; k < count; k++) {
      if (source[i] === "\n") {
        line++;
        column = 1;
      } else {
        column++;
      }
      i++;
    }
  };
  while (i < source.length) {
    const char = source[i] ?? "";
    const pos = { line, column };
    if (char === "\n") {
      tokens.push({ kind: "newline", text: "\n", pos });
      advance(1);
    } else if (char === " " || char === "\t" || char === "\r") {
      advance(1);
    } else if (source.startsWith("//", i)) {
      while (i < source.length && source[i] !== "\n") advance(1);
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) throw new BicepSyntaxError("unterminated block comment", pos);
      advance(end + 2 - i);
    } else if (source.startsWith("'''", i)) {
      // Multi-line strings take their content verbatim: no escapes, no interpolation.
      const end = source.indexOf("'''", i + 3);
      if (end < 0) throw new BicepSyntaxError("unterminated multi-line string", pos);
      let content = source.slice(i + 3, end);
      if (content.startsWith("\r\n")) content = content.slice(2);
      else if (content.startsWith("\n")) content = content.slice(1);
      tokens.push({ kind: "string", text: source.slice(i, end + 3), pos, parts: [content] });
      advance(end + 3 - i);
    } else if (char === "'") {
      const start = i;
      const parts: Array<string | { source: string; pos: Position }> = [];
      let chunk = "";
      advance(1);
      for (;;) {
        if (i >= source.length || source[i] === "\n") throw new BicepSyntaxError("unterminated string", pos);
        const c = source[i];
        if (c === "'") {
          advance(1);
          break;
        }
        if (c === "\\") {
          const next = source[i + 1] ?? "";
          const simple: Record<string, string> = { "\\": "\\", "'": "'", n: "\n", r: "\r", t: "\t", $: "$" };
          if (next in simple) {
            chunk += simple[next];
            advance(2);
          } else if (next === "u" && source[i + 2] === "{") {
            const close = source.indexOf("}", i + 3);
            if (close < 0) throw new BicepSyntaxError("bad \\u{} escape", { line, column });
            chunk += String.fromCodePoint(Number.parseInt(source.slice(i + 3, close), 16));
            advance(close + 1 - i);
          } else {
            throw new BicepSyntaxError(`unknown escape \\${next}`, { line, column });
          }
          continue;
        }
        if (source.startsWith("${", i)) {
          parts.push(chunk);
          chunk = "";
          advance(2);
          const holeStart = i;
          const holePos = { line, column };
          let depth = 1;
          while (i < source.length && depth > 0) {
            if (source[i] === "'") {
              // A string inside the hole: skip it whole (it may hold braces).
              advance(1);
              while (i < source.length && source[i] !== "'") advance(source[i] === "\\" ? 2 : 1);
              advance(1);
              continue;
            }
            if (source[i] === "{") depth++;
            if (source[i] === "}") depth--;
            if (depth > 0) advance(1);
          }
          if (depth > 0) throw new BicepSyntaxError("unterminated ${} in string", holePos);
          parts.push({ source: source.slice(holeStart, i), pos: holePos });
          advance(1);
          continue;
        }
        chunk += c;
        advance(1);
      }
      parts.push(chunk);
      tokens.push({ kind: "string", text: source.slice(start, i), pos, parts });
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9]+/.exec(source.slice(i)) ?? [""];
      if (/^[0-9]+\.[0-9]/.test(source.slice(i))) throw new BicepSyntaxError("Bicep has no decimal literals", pos);
      tokens.push({ kind: "int", text: match[0], pos });
      advance(match[0].length);
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) ?? [""];
      tokens.push({ kind: "ident", text: match[0], pos });
      advance(match[0].length);
    } else {
      const punct = PUNCTUATORS.find((p) => source.startsWith(p, i));
      if (!punct) throw new BicepSyntaxError(`unexpected character ${JSON.stringify(char)}`, pos);
      tokens.push({ kind: "punct", text: punct, pos });
      advance(punct.length);
    }
  }
  tokens.push({ kind: "eof", text: "", pos: { line, column } });
  return tokens;
}

// --- parser -----------------------------------------------------------------------------------------------------

/** Statements this parser refuses rather than misreads. */
const UNSUPPORTED_STATEMENTS = new Set(["type", "func", "import", "extension", "provider", "using", "assert"]);

const BINARY_PRECEDENCE: ReadonlyArray<readonly string[]> = [
  ["??"],
  ["||"],
  ["&&"],
  ["==", "!=", "=~", "!~"],
  ["<", "<=", ">", ">="],
  ["+", "-"],
  ["*", "/", "%"],
];

class Parser {
  private index = 0;
  /** > 0 while inside `( )`, where Bicep lets expressions continue across lines. */
  private parenDepth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.index++;
    return token;
  }

  private is(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (token.kind === "punct" || token.kind === "ident") && token.text === text;
  }

  private expect(text: string): Token {
    const token = this.next();
    if ((token.kind !== "punct" && token.kind !== "ident") || token.text !== text) {
      throw new BicepSyntaxError(`expected '${text}' but found ${describe(token)}`, token.pos);
    }
    return token;
  }

  private expectIdent(what: string): Token {
    const token = this.next();
    if (token.kind !== "ident") throw new BicepSyntaxError(`expected ${what} but found ${describe(token)}`, token.pos);
    return token;
  }

  private expectString(what: string): string {
    const token = this.next();
    if (token.kind !== "string" || token.parts?.length !== 1 || typeof token.parts[0] !== "string") {
      throw new BicepSyntaxError(`expected ${what} as a plain string literal but found ${describe(token)}`, token.pos);
    }
    return token.parts[0];
  }

  private skipNewlines(): void {
    while (this.peek().kind === "newline") this.next();
  }

  /** Newlines are insignificant inside parentheses. */
  private skipNewlinesInParens(): void {
    if (this.parenDepth > 0) this.skipNewlines();
  }

  private endOfStatement(): void {
    const token = this.peek();
    if (token.kind === "newline") {
      this.skipNewlines();
      return;
    }
    if (token.kind !== "eof")
      throw new BicepSyntaxError(`expected the end of the line but found ${describe(token)}`, token.pos);
  }

  parseProgram(): BicepProgram {
    let targetScope = "resourceGroup";
    const params: ParamDeclaration[] = [];
    const vars: VarDeclaration[] = [];
    const resources: ResourceDeclaration[] = [];
    const modules: ModuleDeclaration[] = [];
    const outputs: OutputDeclaration[] = [];
    let decorators: Decorator[] = [];

    this.skipNewlines();
    while (this.peek().kind !== "eof") {
      const token = this.peek();
      if (this.is("@")) {
        decorators.push(this.parseDecorator());
        this.endOfStatement();
        continue;
      }
      if (token.kind !== "ident")
        throw new BicepSyntaxError(`expected a declaration but found ${describe(token)}`, token.pos);
      const keyword = token.text;
      if (UNSUPPORTED_STATEMENTS.has(keyword)) {
        throw new BicepSyntaxError(
          `'${keyword}' statements are not supported by this checker (test/infra/bicepSyntax.ts): extend it first`,
          token.pos,
        );
      }
      this.next();
      if (keyword === "targetScope") {
        this.expect("=");
        const value = this.parseExpression();
        const scope = value.kind === "string" && value.parts.length === 1 ? value.parts[0] : undefined;
        if (typeof scope !== "string") throw new BicepSyntaxError("targetScope must be a string literal", value.pos);
        targetScope = scope;
      } else if (keyword === "metadata") {
        this.expectIdent("a metadata name");
        this.expect("=");
        this.parseExpression();
      } else if (keyword === "param") {
        const name = this.expectIdent("a parameter name").text;
        const type = this.parseTypeText();
        let defaultValue: Expr | undefined;
        if (this.is("=")) {
          this.next();
          defaultValue = this.parseExpression();
        }
        params.push({ kind: "param", pos: token.pos, name, type, defaultValue, decorators });
      } else if (keyword === "var") {
        const name = this.expectIdent("a variable name").text;
        if (!this.is("=")) this.parseTypeText();
        this.expect("=");
        vars.push({ kind: "var", pos: token.pos, name, value: this.parseExpression() });
      } else if (keyword === "output") {
        const name = this.expectIdent("an output name").text;
        const type = this.parseTypeText();
        this.expect("=");
        outputs.push({ kind: "output", pos: token.pos, name, type, value: this.parseExpression() });
      } else if (keyword === "resource") {
        const symbol = this.expectIdent("a resource symbol").text;
        const typeReference = this.expectString("the resource type");
        const at = typeReference.lastIndexOf("@");
        if (at <= 0) throw new BicepSyntaxError(`resource type '${typeReference}' has no @api-version`, token.pos);
        let existing = false;
        if (this.is("existing")) {
          this.next();
          existing = true;
        }
        this.expect("=");
        resources.push({
          kind: "resource",
          pos: token.pos,
          symbol,
          type: typeReference.slice(0, at),
          apiVersion: typeReference.slice(at + 1),
          existing,
          value: this.parseDeclarationValue(),
          decorators,
        });
      } else if (keyword === "module") {
        const symbol = this.expectIdent("a module symbol").text;
        const path = this.expectString("the module path");
        this.expect("=");
        modules.push({ kind: "module", pos: token.pos, symbol, path, value: this.parseDeclarationValue(), decorators });
      } else {
        throw new BicepSyntaxError(`unknown statement '${keyword}'`, token.pos);
      }
      decorators = [];
      this.endOfStatement();
    }
    if (decorators.length > 0)
      throw new BicepSyntaxError("decorator without a declaration", decorators[0]?.pos ?? { line: 0, column: 0 });
    return { targetScope, params, vars, resources, modules, outputs };
  }

  private parseDecorator(): Decorator {
    const at = this.expect("@");
    let name = this.expectIdent("a decorator name").text;
    if (this.is(".")) {
      this.next();
      name = `${name}.${this.expectIdent("a decorator name").text}`;
    }
    const args = this.is("(") ? this.parseArguments() : [];
    return { pos: at.pos, name, args };
  }

  /** A type as text: everything up to `=` or the end of the line, brackets balanced. */
  private parseTypeText(): string {
    const parts: string[] = [];
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === "eof") break;
      if (depth === 0 && (token.kind === "newline" || (token.kind === "punct" && token.text === "="))) break;
      if (token.kind === "punct" && "([{".includes(token.text)) depth++;
      if (token.kind === "punct" && ")]}".includes(token.text)) depth--;
      parts.push(token.text);
      this.next();
    }
    if (parts.length === 0) throw new BicepSyntaxError("expected a type", this.peek().pos);
    return parts
      .join(" ")
      .replace(/\s*([[\](){}.|,:])\s*/g, "$1")
      .replace(/\|/g, " | ");
  }

  private parseDeclarationValue(): DeclarationValue {
    if (this.is("if")) {
      this.next();
      const condition = this.parseParenthesized();
      const body = this.parseObject();
      return { kind: "conditional", condition, body };
    }
    if (this.is("[") && this.is("for", 1)) {
      const loop = this.parseArrayOrFor();
      if (loop.kind !== "for") throw new BicepSyntaxError("expected a for-expression", loop.pos);
      return { kind: "loop", loop };
    }
    return { kind: "plain", body: this.parseObject() };
  }

  private parseParenthesized(): Expr {
    this.expect("(");
    this.parenDepth++;
    this.skipNewlines();
    const expr = this.parseExpression();
    this.skipNewlines();
    this.parenDepth--;
    this.expect(")");
    return expr;
  }

  private parseArguments(): Expr[] {
    this.expect("(");
    this.parenDepth++;
    const args: Expr[] = [];
    this.skipNewlines();
    while (!this.is(")")) {
      args.push(this.parseExpression());
      this.skipNewlines();
      if (this.is(",")) {
        this.next();
        this.skipNewlines();
      } else if (!this.is(")")) {
        throw new BicepSyntaxError(`expected ',' or ')' but found ${describe(this.peek())}`, this.peek().pos);
      }
    }
    this.parenDepth--;
    this.expect(")");
    return args;
  }

  parseExpression(): Expr {
    // Lambdas: `x => ...` or `(x, y) => ...`.
    if (this.peek().kind === "ident" && this.is("=>", 1)) {
      const parameter = this.next();
      this.next();
      return { kind: "lambda", pos: parameter.pos, parameters: [parameter.text], body: this.parseExpression() };
    }
    if (this.is("(") && this.isLambdaParameterList()) {
      const open = this.next();
      const parameters: string[] = [];
      while (!this.is(")")) {
        parameters.push(this.expectIdent("a lambda parameter").text);
        if (this.is(",")) this.next();
      }
      this.expect(")");
      this.expect("=>");
      return { kind: "lambda", pos: open.pos, parameters, body: this.parseExpression() };
    }
    const condition = this.parseBinary(0);
    this.skipNewlinesInParens();
    if (!this.is("?")) return condition;
    this.next();
    this.skipNewlines();
    const whenTrue = this.parseExpression();
    this.skipNewlines();
    this.expect(":");
    this.skipNewlines();
    const whenFalse = this.parseExpression();
    return { kind: "ternary", pos: condition.pos, condition, whenTrue, whenFalse };
  }

  private isLambdaParameterList(): boolean {
    let offset = 1;
    while (this.peek(offset).kind === "ident" || this.is(",", offset)) offset++;
    return this.is(")", offset) && this.is("=>", offset + 1);
  }

  private parseBinary(level: number): Expr {
    const operators = BINARY_PRECEDENCE[level];
    if (!operators) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      this.skipNewlinesInParens();
      const token = this.peek();
      if (token.kind !== "punct" || !operators.includes(token.text)) return left;
      this.next();
      this.skipNewlines();
      const right = this.parseBinary(level + 1);
      left = { kind: "binary", pos: left.pos, op: token.text, left, right };
    }
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (token.kind === "punct" && (token.text === "!" || token.text === "-")) {
      this.next();
      const operand = this.parseUnary();
      if (token.text === "-" && operand.kind === "int") return { kind: "int", pos: token.pos, value: -operand.value };
      return { kind: "unary", pos: token.pos, op: token.text, operand };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(start: Expr): Expr {
    let expr = start;
    for (;;) {
      if (this.is(".") || this.is(".?") || this.is("::")) {
        const safe = this.next().text === ".?";
        const name = this.expectIdent("a property name");
        expr = { kind: "member", pos: expr.pos, object: expr, name: name.text, safe };
      } else if (this.is("[") || (this.is("?") && this.is("[", 1))) {
        const safe = this.is("?");
        if (safe) this.next();
        this.next();
        this.parenDepth++;
        this.skipNewlines();
        const index = this.parseExpression();
        this.skipNewlines();
        this.parenDepth--;
        this.expect("]");
        expr = { kind: "index", pos: expr.pos, object: expr, index, safe };
      } else if (this.is("(")) {
        expr = { kind: "call", pos: expr.pos, callee: expr, args: this.parseArguments() };
      } else if (this.is("!") && this.touchesPrevious()) {
        // Postfix non-null assertion `x!` (written without a space), not the prefix `!` of a next operand.
        this.next();
        expr = { kind: "nonNull", pos: expr.pos, operand: expr };
      } else {
        return expr;
      }
    }
  }

  /** Whether the next token starts right where the previous one ended (same line, no space). */
  private touchesPrevious(): boolean {
    const previous = this.tokens[this.index - 1];
    const token = this.peek();
    return (
      previous !== undefined &&
      previous.pos.line === token.pos.line &&
      previous.pos.column + previous.text.length === token.pos.column
    );
  }

  private parsePrimary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case "int":
        this.next();
        return { kind: "int", pos: token.pos, value: Number(token.text) };
      case "string":
        this.next();
        return {
          kind: "string",
          pos: token.pos,
          parts: (token.parts ?? []).map((part) =>
            typeof part === "string" ? part : parseEmbedded(part.source, part.pos),
          ),
        };
      case "ident":
        this.next();
        if (token.text === "true" || token.text === "false")
          return { kind: "bool", pos: token.pos, value: token.text === "true" };
        if (token.text === "null") return { kind: "null", pos: token.pos };
        return { kind: "ref", pos: token.pos, name: token.text };
      case "punct":
        if (token.text === "{") return this.parseObject();
        if (token.text === "[") return this.parseArrayOrFor();
        if (token.text === "(") return this.parseParenthesized();
        break;
      default:
        break;
    }
    throw new BicepSyntaxError(`expected an expression but found ${describe(token)}`, token.pos);
  }

  parseObject(): Expr {
    const open = this.expect("{");
    const outerParens = this.parenDepth;
    this.parenDepth = 0;
    const properties: ObjectProperty[] = [];
    this.skipNewlines();
    while (!this.is("}")) {
      const keyToken = this.peek();
      if (keyToken.kind === "ident" && keyToken.text === "resource" && this.peek(1).kind === "ident") {
        throw new BicepSyntaxError(
          "nested resource declarations are not supported by this checker: declare the child at the top level with `parent:`",
          keyToken.pos,
        );
      }
      if (this.is("..."))
        throw new BicepSyntaxError("the spread operator is not supported by this checker", keyToken.pos);
      let key: string | undefined;
      let keyExpr: Expr;
      if (keyToken.kind === "ident") {
        this.next();
        key = keyToken.text;
        keyExpr = { kind: "string", pos: keyToken.pos, parts: [key] };
      } else if (keyToken.kind === "string") {
        keyExpr = this.parsePrimary();
        key =
          keyExpr.kind === "string" && keyExpr.parts.length === 1 && typeof keyExpr.parts[0] === "string"
            ? keyExpr.parts[0]
            : undefined;
      } else {
        throw new BicepSyntaxError(`expected a property name but found ${describe(keyToken)}`, keyToken.pos);
      }
      this.expect(":");
      const value = this.parseExpression();
      properties.push({ pos: keyToken.pos, key, keyExpr, value });
      if (this.is(",")) this.next();
      else if (this.peek().kind !== "newline" && !this.is("}")) {
        throw new BicepSyntaxError(
          `expected a new line, ',' or '}' after property '${key ?? "(computed)"}' but found ${describe(this.peek())}`,
          this.peek().pos,
        );
      }
      this.skipNewlines();
    }
    this.expect("}");
    this.parenDepth = outerParens;
    return { kind: "object", pos: open.pos, properties };
  }

  private parseArrayOrFor(): Expr {
    const open = this.expect("[");
    const outerParens = this.parenDepth;
    this.parenDepth = 0;
    this.skipNewlines();
    if (this.is("for")) {
      this.next();
      const variables: string[] = [];
      if (this.is("(")) {
        this.next();
        while (!this.is(")")) {
          variables.push(this.expectIdent("a loop variable").text);
          if (this.is(",")) this.next();
        }
        this.expect(")");
      } else {
        variables.push(this.expectIdent("a loop variable").text);
      }
      this.expect("in");
      const iterable = this.parseExpression();
      this.expect(":");
      let condition: Expr | undefined;
      if (this.is("if")) {
        this.next();
        condition = this.parseParenthesized();
      }
      const body = this.parseExpression();
      this.skipNewlines();
      this.expect("]");
      this.parenDepth = outerParens;
      return { kind: "for", pos: open.pos, variables, iterable, condition, body };
    }
    const items: Expr[] = [];
    while (!this.is("]")) {
      items.push(this.parseExpression());
      if (this.is(",")) this.next();
      else if (this.peek().kind !== "newline" && !this.is("]")) {
        throw new BicepSyntaxError(
          `expected a new line, ',' or ']' but found ${describe(this.peek())}`,
          this.peek().pos,
        );
      }
      this.skipNewlines();
    }
    this.expect("]");
    this.parenDepth = outerParens;
    return { kind: "array", pos: open.pos, items };
  }

  atEnd(): boolean {
    this.skipNewlines();
    return this.peek().kind === "eof";
  }
}

function describe(token: Token): string {
  if (token.kind === "eof") return "the end of the file";
  if (token.kind === "newline") return "a line break";
  return `'${token.text}'`;
}

/** The expression inside a `${...}` hole, positioned where it stands in the file. */
function parseEmbedded(source: string, pos: Position): Expr {
  const parser = new Parser(tokenize(source, pos));
  const expr = parser.parseExpression();
  if (!parser.atEnd()) throw new BicepSyntaxError("unexpected text in ${} interpolation", pos);
  return expr;
}

/** Parses one Bicep file; throws BicepSyntaxError (with line and column) on anything outside the supported subset. */
export function parseBicepProgram(source: string): BicepProgram {
  return new Parser(tokenize(source)).parseProgram();
}

/** Parses a single expression (for tests and for decorator arguments written as text). */
export function parseBicepExpression(source: string): Expr {
  return parseEmbedded(source, { line: 1, column: 1 });
}

/** The value of a string literal without interpolation, else undefined. */
export function literalString(expr: Expr | undefined): string | undefined {
  return expr?.kind === "string" && expr.parts.length === 1 && typeof expr.parts[0] === "string"
    ? expr.parts[0]
    : undefined;
}
