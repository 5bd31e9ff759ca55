import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  type BicepProgram,
  BicepSyntaxError,
  type DeclarationValue,
  type Expr,
  literalString,
  type ModuleDeclaration,
  type ObjectProperty,
  type ParamDeclaration,
  type Position,
  parseBicepProgram,
  type ResourceDeclaration,
} from "./bicepSyntax";

/**
 * Walks every resource body in a set of Bicep files against the type files Bicep itself compiles with
 * (Azure/bicep-types-az `types.json`, vendored under test/infra/bicep-types/), and reports what Bicep or ARM would
 * refuse: properties the type does not have, read-only properties set, required ones missing, and literal values the
 * type does not accept (string-literal unions, integer ranges, string lengths and patterns, wrong kinds). It also
 * checks module arguments against the module's parameters, and parameter defaults against their own decorators.
 *
 * What it does not do: evaluate expressions. A value computed from a parameter, variable or function call is "known
 * only at deployment" and its type is not checked, with three exceptions where the value is still visible: a variable
 * whose value is a literal is checked as that literal, a parameter is checked through its declared type and @allowed
 * values, and both branches of a `cond ? a : b` are checked. Object and array structure is always checked. Bicep
 * reports some of these findings as warnings (its types come from API specs that can be wrong); here every one fails,
 * so a template never relies on a property the type does not declare without someone deciding it should.
 */

// --- the type files -----------------------------------------------------------------------------------------------

interface TypeRef {
  readonly $ref: string;
}

interface TypeProperty {
  readonly type: TypeRef;
  readonly flags: number;
  readonly description?: string;
}

type TypeNode =
  | {
      readonly $type: "StringType";
      readonly minLength?: number;
      readonly maxLength?: number;
      readonly pattern?: string;
      readonly sensitive?: boolean;
    }
  | { readonly $type: "StringLiteralType"; readonly value: string }
  | { readonly $type: "IntegerType"; readonly minValue?: number; readonly maxValue?: number }
  | { readonly $type: "BooleanType" }
  | { readonly $type: "NullType" }
  | { readonly $type: "AnyType" }
  | {
      readonly $type: "ObjectType";
      readonly name: string;
      readonly properties?: Readonly<Record<string, TypeProperty>>;
      readonly additionalProperties?: TypeRef;
      readonly sensitive?: boolean;
    }
  | {
      readonly $type: "DiscriminatedObjectType";
      readonly name: string;
      readonly discriminator: string;
      readonly baseProperties: Readonly<Record<string, TypeProperty>>;
      readonly elements: Readonly<Record<string, TypeRef>>;
    }
  | {
      readonly $type: "ArrayType";
      readonly itemType: TypeRef;
      readonly minLength?: number;
      readonly maxLength?: number;
    }
  | { readonly $type: "UnionType"; readonly elements: readonly TypeRef[] }
  | {
      readonly $type: "ResourceType";
      readonly name: string;
      readonly body: TypeRef;
      readonly readableScopes?: number;
      readonly writableScopes?: number;
    }
  | { readonly $type: "ResourceFunctionType" };

const KNOWN_NODE_KINDS = new Set([
  "StringType",
  "StringLiteralType",
  "IntegerType",
  "BooleanType",
  "NullType",
  "AnyType",
  "ObjectType",
  "DiscriminatedObjectType",
  "ArrayType",
  "UnionType",
  "ResourceType",
  "ResourceFunctionType",
]);

/** Property flags, as bicep-types defines them. */
const FLAG_REQUIRED = 1;
const FLAG_READ_ONLY = 2;
const FLAG_DEPLOY_TIME_CONSTANT = 8;

/** Resource scope bits (ResourceType readableScopes / writableScopes). */
const SCOPE_BITS: Readonly<Record<string, number>> = {
  tenant: 1,
  managementGroup: 2,
  subscription: 4,
  resourceGroup: 8,
};

interface TypeFile {
  readonly file: string;
  readonly nodes: readonly TypeNode[];
}

interface ResolvedType {
  readonly file: TypeFile;
  readonly node: TypeNode;
}

export interface TypeIndex {
  /** Every vendored file, relative to the types folder. */
  readonly files: readonly string[];
  /** `microsoft.web/sites@2025-03-01` → its ResourceType nodes (one writable, sometimes a separate readable one). */
  readonly resources: ReadonlyMap<string, readonly ResolvedType[]>;
}

/** Loads every `types.json` under `dir`, indexing its resource types by `type@apiVersion` (case-insensitive). */
export function loadTypeIndex(dir: string): TypeIndex {
  const files: string[] = [];
  const resources = new Map<string, ResolvedType[]>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name !== "types.json") continue;
    const absolute = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, absolute).split(path.sep).join("/");
    const nodes = JSON.parse(readFileSync(absolute, "utf8")) as TypeNode[];
    for (const [index, node] of nodes.entries()) {
      // A format change upstream must fail here, not be half-read.
      if (!KNOWN_NODE_KINDS.has(node.$type))
        throw new Error(`${relative} #/${index}: unknown type node kind ${node.$type}`);
    }
    const file = { file: relative, nodes };
    files.push(relative);
    for (const node of nodes) {
      if (node.$type !== "ResourceType") continue;
      const key = node.name.toLowerCase();
      resources.set(key, [...(resources.get(key) ?? []), { file, node }]);
    }
  }
  return { files: files.sort(), resources };
}

function resolve(file: TypeFile, ref: TypeRef): ResolvedType {
  const match = /^#\/(\d+)$/.exec(ref.$ref);
  const node = match ? file.nodes[Number(match[1])] : undefined;
  if (!node) throw new Error(`${file.file}: dangling type reference ${ref.$ref}`);
  return { file, node };
}

// --- findings -----------------------------------------------------------------------------------------------------

export interface Finding {
  /** The Bicep file, relative to the folder checked (e.g. `app/keyVault.bicep`). */
  readonly file: string;
  readonly pos: Position;
  /** `resource vault (Microsoft.KeyVault/vaults@2024-11-01)`, `module storage`, `param maximumInstanceCount`. */
  readonly subject: string;
  /** Dotted path inside the declaration's body, e.g. `properties.sku.name`; empty for the declaration itself. */
  readonly path: string;
  readonly message: string;
}

export function formatFinding(finding: Finding, prefix = ""): string {
  const where = finding.path === "" ? "" : ` ${finding.path}:`;
  return `${prefix}${finding.file}:${finding.pos.line}:${finding.pos.column} ${finding.subject}${where} ${finding.message}`;
}

// --- the check ----------------------------------------------------------------------------------------------------

export interface BicepSource {
  /** Path relative to the folder being checked, with forward slashes. */
  readonly file: string;
  readonly text: string;
}

/** Checks every file; a file that does not parse is itself a finding (the check never skips what it cannot read). */
export function checkBicepSources(sources: readonly BicepSource[], types: TypeIndex): Finding[] {
  const programs = new Map<string, BicepProgram>();
  const findings: Finding[] = [];
  for (const { file, text } of sources) {
    try {
      programs.set(file, parseBicepProgram(text));
    } catch (error) {
      if (!(error instanceof BicepSyntaxError)) throw error;
      findings.push({
        file,
        pos: error.pos,
        subject: "file",
        path: "",
        message: `cannot be read: ${error.message.replace(/^\d+:\d+: /, "")}`,
      });
    }
  }
  for (const [file, program] of programs) {
    findings.push(...new FileChecker(file, program, programs, types).check());
  }
  return findings;
}

/** A value to check, with how the check reached it (`var x`, `param y @allowed`) for the message. */
interface Known {
  readonly kind: "expr";
  readonly expr: Expr;
  readonly via?: string;
}

class FileChecker {
  private readonly findings: Finding[] = [];
  private readonly vars: ReadonlyMap<string, Expr>;
  private readonly params: ReadonlyMap<string, ParamDeclaration>;
  private readonly resourceSymbols: ReadonlySet<string>;
  private readonly moduleSymbols: ReadonlySet<string>;
  private subject = "";

  constructor(
    private readonly file: string,
    private readonly program: BicepProgram,
    private readonly programs: ReadonlyMap<string, BicepProgram>,
    private readonly types: TypeIndex,
  ) {
    this.vars = new Map(program.vars.map((v) => [v.name, v.value]));
    this.params = new Map(program.params.map((p) => [p.name, p]));
    this.resourceSymbols = new Set(program.resources.map((r) => r.symbol));
    this.moduleSymbols = new Set(program.modules.map((m) => m.symbol));
  }

  check(): Finding[] {
    if (!(this.program.targetScope in SCOPE_BITS)) {
      this.report(
        { line: 1, column: 1 },
        "",
        `targetScope '${this.program.targetScope}' is not one of ${Object.keys(SCOPE_BITS).join(", ")}`,
      );
    }
    for (const param of this.program.params) this.checkParamDefault(param);
    for (const resource of this.program.resources) this.checkResource(resource);
    for (const module of this.program.modules) this.checkModule(module);
    return this.findings;
  }

  private report(pos: Position, propertyPath: string, message: string): void {
    this.findings.push({ file: this.file, pos, subject: this.subject, path: propertyPath, message });
  }

  // -- parameters ------------------------------------------------------------------------------------------------

  private checkParamDefault(param: ParamDeclaration): void {
    this.subject = `param ${param.name}`;
    if (param.defaultValue === undefined) return;
    for (const problem of paramValueProblems(param, param.defaultValue))
      this.report(param.defaultValue.pos, "", `default ${problem}`);
  }

  // -- resources -------------------------------------------------------------------------------------------------

  private checkResource(resource: ResourceDeclaration): void {
    const reference = `${resource.type}@${resource.apiVersion}`;
    this.subject = `resource ${resource.symbol} (${reference})`;
    const candidates = this.types.resources.get(reference.toLowerCase()) ?? [];
    // A type can have separate definitions for reading (`existing`) and for deploying.
    const wanted = candidates.find(
      (c) =>
        c.node.$type === "ResourceType" &&
        ((resource.existing ? c.node.readableScopes : c.node.writableScopes) ?? 1) !== 0,
    );
    if (wanted?.node.$type !== "ResourceType") {
      this.report(
        resource.pos,
        "",
        candidates.length > 0
          ? `the vendored type for ${reference} cannot be ${resource.existing ? "read (existing)" : "deployed"}`
          : `no vendored type for ${reference}: add its types.json from Azure/bicep-types-az (generated/<folder>/<namespace>/<api-version>/) to test/infra/bicep-types/ and SOURCES.md`,
      );
      return;
    }
    const body = declarationBody(resource.value);
    if (resource.value.kind === "loop" && resource.value.loop.condition)
      this.checkCondition(resource.value.loop.condition);
    if (body.kind !== "object") {
      this.report(body.pos, "", "the resource body must be an object literal for the check to read it");
      return;
    }
    const bodyType = resolve(wanted.file, wanted.node.body);
    if (resource.existing) {
      this.checkExistingBody(body, bodyType);
      return;
    }
    this.checkScope(resource, wanted.node.writableScopes ?? 0, body);
    // Bicep adds these to every resource declaration; they are not part of the API body.
    const bicepKeywords = new Set(["parent", "scope", "dependsOn"]);
    const dependsOn = body.properties.find((p) => p.key === "dependsOn");
    if (dependsOn && dependsOn.value.kind !== "array" && dependsOn.value.kind !== "for") {
      this.report(dependsOn.pos, "dependsOn", "must be an array");
    }
    const apiBody: Expr = {
      ...body,
      properties: body.properties.filter((p) => p.key === undefined || !bicepKeywords.has(p.key)),
    };
    this.checkValue({ kind: "expr", expr: apiBody }, bodyType, "");
  }

  private checkCondition(condition: Expr): void {
    if (
      condition.kind === "string" ||
      condition.kind === "int" ||
      condition.kind === "object" ||
      condition.kind === "array"
    ) {
      this.report(condition.pos, "", "the condition must be a bool");
    }
  }

  /** `existing` declarations may only say which resource: name, scope, parent. */
  private checkExistingBody(body: Extract<Expr, { kind: "object" }>, bodyType: ResolvedType): void {
    for (const property of body.properties) {
      if (property.key === "scope" || property.key === "parent") continue;
      if (property.key !== "name") {
        this.report(
          property.pos,
          property.key ?? "(computed)",
          "is not allowed on an `existing` resource (only name, scope and parent)",
        );
        continue;
      }
      const nameType = propertiesOf(bodyType).get("name");
      if (nameType)
        this.checkValue({ kind: "expr", expr: property.value }, resolve(nameType.file, nameType.property.type), "name");
    }
    if (!body.properties.some((p) => p.key === "name")) this.report(body.pos, "name", "is required");
  }

  private checkScope(
    resource: ResourceDeclaration,
    writableScopes: number,
    body: Extract<Expr, { kind: "object" }>,
  ): void {
    // With `scope:` or `parent:` the resource is deployed where that points; only a plain one uses the file's scope.
    if (body.properties.some((p) => p.key === "scope" || p.key === "parent")) return;
    const bit = SCOPE_BITS[this.program.targetScope] ?? 0;
    if ((writableScopes & bit) === 0) {
      this.report(
        resource.pos,
        "",
        `cannot be deployed at ${this.program.targetScope} scope (the file's targetScope) without a scope: property`,
      );
    }
  }

  // -- values against types --------------------------------------------------------------------------------------

  private checkValue(known: Known, type: ResolvedType, propertyPath: string): void {
    for (const problem of this.problems(known, type, propertyPath))
      this.report(problem.pos, problem.path, problem.message);
  }

  /**
   * Problems of a value against a type, without reporting them (unions try several types).
   *
   * `nullable`: the value sits in an optional property, where Bicep accepts null; it carries through variables and
   * ternary branches (`cond ? true : null`) but not into the properties or items of an object or array.
   */
  private problems(
    known: Known,
    type: ResolvedType,
    propertyPath: string,
    seenVars: ReadonlySet<string> = new Set(),
    nullable = false,
  ): Problem[] {
    const expr = unwrap(known.expr);
    const via = known.via;
    const at = (message: string, pos = expr.pos, where = propertyPath): Problem[] => [
      { pos, path: where, message: via ? `${message} (through ${via})` : message },
    ];

    // Values the check can see through.
    if (expr.kind === "ref") {
      const value = this.vars.get(expr.name);
      if (value !== undefined && !seenVars.has(expr.name)) {
        return this.problems(
          { kind: "expr", expr: value, via: `var ${expr.name}` },
          type,
          propertyPath,
          new Set([...seenVars, expr.name]),
          nullable,
        );
      }
      const param = this.params.get(expr.name);
      if (param) return this.paramProblems(param, type, propertyPath);
      return [];
    }
    if (expr.kind === "ternary") {
      return [
        ...this.problems(
          { kind: "expr", expr: expr.whenTrue, ...(via ? { via } : {}) },
          type,
          propertyPath,
          seenVars,
          nullable,
        ),
        ...this.problems(
          { kind: "expr", expr: expr.whenFalse, ...(via ? { via } : {}) },
          type,
          propertyPath,
          seenVars,
          nullable,
        ),
      ];
    }
    const node = type.node;
    if (expr.kind === "null")
      return nullable ||
        node.$type === "NullType" ||
        node.$type === "AnyType" ||
        (node.$type === "UnionType" && this.unionAllowsNull(type))
        ? []
        : at("null is not allowed here");
    if (!isLiteral(expr)) return []; // computed at deployment: not checked

    switch (node.$type) {
      case "AnyType":
        return [];
      case "StringType": {
        const value = literalString(expr);
        if (expr.kind !== "string") return at(`expects a string, not ${describeLiteral(expr)}`);
        if (value === undefined) return []; // interpolated
        if (node.minLength !== undefined && value.length < node.minLength)
          return at(`'${value}' is shorter than ${node.minLength} characters`);
        if (node.maxLength !== undefined && value.length > node.maxLength)
          return at(`'${value}' is longer than ${node.maxLength} characters`);
        if (node.pattern !== undefined && !matchesPattern(node.pattern, value))
          return at(`'${value}' does not match the pattern ${node.pattern}`);
        return [];
      }
      case "StringLiteralType": {
        if (expr.kind !== "string") return at(`expects '${node.value}', not ${describeLiteral(expr)}`);
        const value = literalString(expr);
        if (value === undefined || value === node.value) return [];
        return at(`'${value}' is not allowed: expected '${node.value}'`);
      }
      case "IntegerType": {
        if (expr.kind !== "int") return at(`expects an int, not ${describeLiteral(expr)}`);
        if (node.minValue !== undefined && expr.value < node.minValue)
          return at(`${expr.value} is below the minimum ${node.minValue}`);
        if (node.maxValue !== undefined && expr.value > node.maxValue)
          return at(`${expr.value} is above the maximum ${node.maxValue}`);
        return [];
      }
      case "BooleanType":
        return expr.kind === "bool" ? [] : at(`expects a bool, not ${describeLiteral(expr)}`);
      case "NullType":
        return at(`expects null, not ${describeLiteral(expr)}`);
      case "ObjectType":
      case "DiscriminatedObjectType":
        if (expr.kind !== "object") return at(`expects an object (${node.name}), not ${describeLiteral(expr)}`);
        return this.objectProblems(expr, type, propertyPath, via);
      case "ArrayType": {
        if (expr.kind === "for") {
          return this.problems(
            { kind: "expr", expr: expr.body, ...(via ? { via } : {}) },
            resolve(type.file, node.itemType),
            `${propertyPath}[*]`,
            seenVars,
          );
        }
        if (expr.kind !== "array") return at(`expects an array, not ${describeLiteral(expr)}`);
        const problems: Problem[] = [];
        if (node.minLength !== undefined && expr.items.length < node.minLength)
          problems.push(...at(`needs at least ${node.minLength} items`));
        if (node.maxLength !== undefined && expr.items.length > node.maxLength)
          problems.push(...at(`allows at most ${node.maxLength} items`));
        const itemType = resolve(type.file, node.itemType);
        expr.items.forEach((item, i) =>
          problems.push(
            ...this.problems(
              { kind: "expr", expr: item, ...(via ? { via } : {}) },
              itemType,
              `${propertyPath}[${i}]`,
              seenVars,
            ),
          ),
        );
        return problems;
      }
      case "UnionType":
        return this.unionProblems(known, type, propertyPath, seenVars);
      default:
        return at(`has a type this check does not model (${node.$type})`);
    }
  }

  private unionAllowsNull(type: ResolvedType): boolean {
    if (type.node.$type !== "UnionType") return false;
    return type.node.elements.some((ref) => {
      const element = resolve(type.file, ref).node.$type;
      return element === "NullType" || element === "AnyType";
    });
  }

  private unionProblems(
    known: Known,
    type: ResolvedType,
    propertyPath: string,
    seenVars: ReadonlySet<string>,
  ): Problem[] {
    if (type.node.$type !== "UnionType") return [];
    const elements = type.node.elements.map((ref) => resolve(type.file, ref));
    const attempts = elements.map((element) => this.problems(known, element, propertyPath, seenVars));
    if (attempts.some((problems) => problems.length === 0)) return [];
    const expr = unwrap(known.expr);
    const literals = elements.flatMap((e) => (e.node.$type === "StringLiteralType" ? [`'${e.node.value}'`] : []));
    const value = literalString(expr);
    if (value !== undefined && literals.length === elements.length) {
      const sameButCase = elements.find(
        (e) => e.node.$type === "StringLiteralType" && e.node.value.toLowerCase() === value.toLowerCase(),
      );
      const hint =
        sameButCase?.node.$type === "StringLiteralType" ? ` (did you mean '${sameButCase.node.value}'?)` : "";
      const via = known.via ? ` (through ${known.via})` : "";
      return [
        { pos: expr.pos, path: propertyPath, message: `'${value}' is not one of ${literals.join(", ")}${hint}${via}` },
      ];
    }
    // The closest fit explains best why nothing fits.
    return attempts.reduce((best, problems) => (problems.length < best.length ? problems : best));
  }

  private objectProblems(
    expr: Extract<Expr, { kind: "object" }>,
    type: ResolvedType,
    propertyPath: string,
    via: string | undefined,
  ): Problem[] {
    const problems: Problem[] = [];
    const at = (pos: Position, where: string, message: string) =>
      problems.push({ pos, path: where, message: via ? `${message} (through ${via})` : message });
    const join = (key: string) => (propertyPath === "" ? key : `${propertyPath}.${key}`);
    let objectType = type;
    let declared = propertiesOf(type);

    if (type.node.$type === "DiscriminatedObjectType") {
      const { discriminator, elements, baseProperties, name } = type.node;
      const given = expr.properties.find((p) => p.key === discriminator);
      const value = literalString(given?.value);
      const choices = Object.keys(elements);
      const element = value === undefined ? undefined : elements[value];
      if (value === undefined || !element) {
        at(
          given?.pos ?? expr.pos,
          join(discriminator),
          value === undefined
            ? `${name} is told apart by '${discriminator}', which must be a string literal, one of: ${choices.join(", ")}`
            : `'${value}' is not one of ${choices.map((c) => `'${c}'`).join(", ")}`,
        );
        return problems;
      }
      objectType = resolve(type.file, element);
      declared = new Map([
        ...Object.entries(baseProperties).map(([key, property]) => [key, { property, file: type.file }] as const),
        ...propertiesOf(objectType),
      ]);
    }
    const additional =
      objectType.node.$type === "ObjectType" && objectType.node.additionalProperties
        ? resolve(objectType.file, objectType.node.additionalProperties)
        : undefined;
    const typeName =
      objectType.node.$type === "ObjectType" || objectType.node.$type === "DiscriminatedObjectType"
        ? objectType.node.name
        : "object";
    const writable = [...declared].filter(([, d]) => (d.property.flags & FLAG_READ_ONLY) === 0).map(([k]) => k);

    const seen = new Set<string>();
    for (const property of expr.properties) {
      problems.push(...this.propertyProblems(property, declared, additional, typeName, writable, join, via));
      if (property.key !== undefined) {
        if (seen.has(property.key)) at(property.pos, join(property.key), "is set twice");
        seen.add(property.key);
      }
    }
    for (const [key, { property }] of declared) {
      if ((property.flags & FLAG_REQUIRED) !== 0 && (property.flags & FLAG_READ_ONLY) === 0 && !seen.has(key)) {
        at(expr.pos, join(key), `is required by ${typeName} but not set`);
      }
    }
    return problems;
  }

  private propertyProblems(
    property: ObjectProperty,
    declared: ReadonlyMap<string, DeclaredProperty>,
    additional: ResolvedType | undefined,
    typeName: string,
    writable: readonly string[],
    join: (key: string) => string,
    via: string | undefined,
  ): Problem[] {
    const suffix = via ? ` (through ${via})` : "";
    const known: Known = { kind: "expr", expr: property.value, ...(via ? { via } : {}) };
    if (property.key === undefined) {
      // A computed key is fine where the object takes any key; elsewhere nothing can tell it is a real property.
      if (additional) return this.problems(known, additional, join("${…}"));
      return [
        {
          pos: property.pos,
          path: join("${…}"),
          message: `a computed key cannot be checked on ${typeName}, whose properties are fixed${suffix}`,
        },
      ];
    }
    const path = join(property.key);
    const declaration = declared.get(property.key);
    if (!declaration) {
      const differentCase = [...declared.keys()].find((k) => k.toLowerCase() === property.key?.toLowerCase());
      if (differentCase)
        return [{ pos: property.pos, path, message: `is spelled '${differentCase}' in ${typeName}${suffix}` }];
      if (additional) return this.problems(known, additional, path);
      return [
        {
          pos: property.pos,
          path,
          message: `is not a property of ${typeName} (it has: ${writable.join(", ") || "no writable properties"})${suffix}`,
        },
      ];
    }
    const typed = declaration.property;
    if ((typed.flags & FLAG_READ_ONLY) !== 0) {
      return [{ pos: property.pos, path, message: `is read-only in ${typeName}: Azure sets it${suffix}` }];
    }
    const problems: Problem[] = [];
    if ((typed.flags & FLAG_DEPLOY_TIME_CONSTANT) !== 0) {
      const culprit = this.runtimeValue(property.value, new Set());
      if (culprit)
        problems.push({
          pos: property.value.pos,
          path,
          message: `must be known when the deployment starts, but uses ${culprit}${suffix}`,
        });
    }
    // Optional properties accept null (Bicep treats them as nullable).
    problems.push(
      ...this.problems(
        known,
        resolve(declaration.file, typed.type),
        path,
        new Set(),
        (typed.flags & FLAG_REQUIRED) === 0,
      ),
    );
    return problems;
  }

  /** A part of `expr` that is only known once resources exist (Bicep's deploy-time constant rule), if any. */
  private runtimeValue(expr: Expr, seenVars: ReadonlySet<string>): string | undefined {
    const root = memberRoot(expr);
    if (root && (this.resourceSymbols.has(root.symbol) || this.moduleSymbols.has(root.symbol))) {
      const allowed = this.resourceSymbols.has(root.symbol) ? ["id", "name", "type", "apiVersion"] : ["name"];
      if (root.first !== undefined && !allowed.includes(root.first)) return `${root.symbol}.${root.first}`;
      return undefined;
    }
    if (expr.kind === "ref" && this.vars.has(expr.name) && !seenVars.has(expr.name)) {
      const inner = this.runtimeValue(this.vars.get(expr.name) as Expr, new Set([...seenVars, expr.name]));
      return inner ? `var ${expr.name} (${inner})` : undefined;
    }
    if (expr.kind === "call" && expr.callee.kind === "ref" && /^(reference|list\w*)$/.test(expr.callee.name))
      return `${expr.callee.name}()`;
    for (const child of children(expr)) {
      const found = this.runtimeValue(child, seenVars);
      if (found) return found;
    }
    return undefined;
  }

  private paramProblems(param: ParamDeclaration, type: ResolvedType, propertyPath: string): Problem[] {
    // A parameter with @allowed values has exactly those values: check each as a literal.
    const allowed = param.decorators.find((d) => d.name === "allowed")?.args[0];
    if (allowed?.kind === "array") {
      return allowed.items.flatMap((item) =>
        this.problems({ kind: "expr", expr: item, via: `param ${param.name} @allowed` }, type, propertyPath).map(
          (p) => ({ ...p, pos: item.pos }),
        ),
      );
    }
    const declared = param.type.replace(/\?$/, "");
    const accepted = primitiveKinds(type);
    if (
      !["string", "int", "bool", "object", "array"].includes(declared) ||
      accepted.has("any") ||
      accepted.has(declared)
    )
      return [];
    return [
      {
        pos: param.pos,
        path: propertyPath,
        message: `gets param ${param.name} of type ${declared}, but expects ${[...accepted].join(" or ")}`,
      },
    ];
  }

  // -- modules ---------------------------------------------------------------------------------------------------

  private checkModule(module: ModuleDeclaration): void {
    this.subject = `module ${module.symbol} (${module.path})`;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(this.file), module.path));
    const body = declarationBody(module.value);
    if (body.kind !== "object") {
      this.report(body.pos, "", "the module body must be an object literal");
      return;
    }
    for (const property of body.properties) {
      if (property.key === undefined || !["name", "params", "scope", "dependsOn"].includes(property.key)) {
        this.report(
          property.pos,
          property.key ?? "(computed)",
          "is not a module property (name, params, scope, dependsOn)",
        );
      }
    }
    const program = this.programs.get(target);
    if (!program) {
      this.report(module.pos, "", `deploys ${target}, which is not among the files checked`);
      return;
    }
    const declared = new Map(program.params.map((p) => [p.name, p]));
    const params = body.properties.find((p) => p.key === "params")?.value;
    const given = new Set<string>();
    if (params?.kind === "object") {
      for (const argument of params.properties) {
        const where = `params.${argument.key ?? "${…}"}`;
        const param = argument.key === undefined ? undefined : declared.get(argument.key);
        if (!param) {
          this.report(
            argument.pos,
            where,
            `is not a parameter of ${target} (it has: ${[...declared.keys()].join(", ")})`,
          );
          continue;
        }
        given.add(param.name);
        for (const problem of paramValueProblems(param, argument.value))
          this.report(argument.value.pos, where, problem);
      }
    } else if (params !== undefined) {
      this.report(params.pos, "params", "must be an object literal for the check to read it");
      return;
    }
    for (const param of program.params) {
      if (param.defaultValue === undefined && !param.type.endsWith("?") && !given.has(param.name)) {
        this.report(params?.pos ?? body.pos, `params.${param.name}`, `is required by ${target} but not passed`);
      }
    }
  }
}

interface Problem {
  readonly pos: Position;
  readonly path: string;
  readonly message: string;
}

/** What a literal argument or default breaks among a parameter's type and decorators (empty when it fits). */
function paramValueProblems(param: ParamDeclaration, value: Expr): string[] {
  const expr = unwrap(value);
  if (!isLiteral(expr) || expr.kind === "null") return [];
  const problems: string[] = [];
  const declared = param.type.replace(/\?$/, "");
  const kind = literalKind(expr);
  if (["string", "int", "bool", "object", "array"].includes(declared) && kind !== declared) {
    problems.push(`${describeLiteral(expr)} does not fit param ${param.name}'s type ${declared}`);
  }
  const decorator = (name: string) => param.decorators.find((d) => d.name === name)?.args[0];
  const allowed = decorator("allowed");
  if (allowed?.kind === "array" && !allowed.items.some((item) => sameLiteral(item, expr))) {
    problems.push(`${describeLiteral(expr)} is not among param ${param.name}'s @allowed values`);
  }
  const min = decorator("minValue");
  const max = decorator("maxValue");
  if (expr.kind === "int" && min?.kind === "int" && expr.value < min.value)
    problems.push(`${expr.value} is below param ${param.name}'s @minValue(${min.value})`);
  if (expr.kind === "int" && max?.kind === "int" && expr.value > max.value)
    problems.push(`${expr.value} is above param ${param.name}'s @maxValue(${max.value})`);
  const length = expr.kind === "array" ? expr.items.length : literalString(expr)?.length;
  const minLength = decorator("minLength");
  const maxLength = decorator("maxLength");
  if (length !== undefined && minLength?.kind === "int" && length < minLength.value)
    problems.push(`is shorter than param ${param.name}'s @minLength(${minLength.value})`);
  if (length !== undefined && maxLength?.kind === "int" && length > maxLength.value)
    problems.push(`is longer than param ${param.name}'s @maxLength(${maxLength.value})`);
  return problems;
}

function declarationBody(value: DeclarationValue): Expr {
  return value.kind === "loop" ? unwrap(value.loop.body) : value.body;
}

/** A property of an object type, with the file its type reference points into (references are file-local). */
interface DeclaredProperty {
  readonly property: TypeProperty;
  readonly file: TypeFile;
}

function propertiesOf(type: ResolvedType): Map<string, DeclaredProperty> {
  const entries =
    type.node.$type === "ObjectType"
      ? Object.entries(type.node.properties ?? {})
      : type.node.$type === "DiscriminatedObjectType"
        ? Object.entries(type.node.baseProperties)
        : [];
  return new Map(entries.map(([key, property]) => [key, { property, file: type.file }]));
}

function unwrap(expr: Expr): Expr {
  return expr.kind === "nonNull" ? unwrap(expr.operand) : expr;
}

function isLiteral(expr: Expr): boolean {
  return ["string", "int", "bool", "null", "object", "array", "for"].includes(expr.kind);
}

function literalKind(expr: Expr): string {
  if (expr.kind === "for") return "array";
  return expr.kind;
}

function describeLiteral(expr: Expr): string {
  switch (expr.kind) {
    case "string":
      return literalString(expr) === undefined ? "an interpolated string" : `'${literalString(expr)}'`;
    case "int":
      return String(expr.value);
    case "bool":
      return String(expr.value);
    case "null":
      return "null";
    case "object":
      return "an object";
    case "array":
    case "for":
      return "an array";
    default:
      return "an expression";
  }
}

function sameLiteral(a: Expr, b: Expr): boolean {
  const x = unwrap(a);
  const y = unwrap(b);
  if (x.kind === "string" && y.kind === "string")
    return literalString(x) !== undefined && literalString(x) === literalString(y);
  if (x.kind === "int" && y.kind === "int") return x.value === y.value;
  if (x.kind === "bool" && y.kind === "bool") return x.value === y.value;
  return false;
}

function primitiveKinds(type: ResolvedType): Set<string> {
  const node = type.node;
  switch (node.$type) {
    case "StringType":
    case "StringLiteralType":
      return new Set(["string"]);
    case "IntegerType":
      return new Set(["int"]);
    case "BooleanType":
      return new Set(["bool"]);
    case "ObjectType":
    case "DiscriminatedObjectType":
      return new Set(["object"]);
    case "ArrayType":
      return new Set(["array"]);
    case "UnionType":
      return new Set(node.elements.flatMap((ref) => [...primitiveKinds(resolve(type.file, ref))]));
    default:
      return new Set(["any"]);
  }
}

/** bicep-types patterns are .NET regular expressions; the ones JavaScript cannot compile are not checked. */
function matchesPattern(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

/** `sym.first.rest…` → { symbol, first } for a member chain rooted at a plain reference. */
function memberRoot(expr: Expr): { symbol: string; first: string | undefined } | undefined {
  const chain: string[] = [];
  let current = expr;
  for (;;) {
    if (current.kind === "member") {
      chain.unshift(current.name);
      current = current.object;
    } else if (current.kind === "index") {
      chain.unshift("[]");
      current = current.object;
    } else if (current.kind === "nonNull") {
      current = current.operand;
    } else {
      break;
    }
  }
  if (current.kind !== "ref" || chain.length === 0) return undefined;
  return { symbol: current.name, first: chain[0] };
}

function children(expr: Expr): Expr[] {
  switch (expr.kind) {
    case "string":
      return expr.parts.filter((p): p is Expr => typeof p !== "string");
    case "object":
      return expr.properties.flatMap((p) => [p.keyExpr, p.value]);
    case "array":
      return [...expr.items];
    case "for":
      return [expr.iterable, ...(expr.condition ? [expr.condition] : []), expr.body];
    case "member":
      return [expr.object];
    case "index":
      return [expr.object, expr.index];
    case "nonNull":
      return [expr.operand];
    case "call":
      return [expr.callee, ...expr.args];
    case "unary":
      return [expr.operand];
    case "binary":
      return [expr.left, expr.right];
    case "ternary":
      return [expr.condition, expr.whenTrue, expr.whenFalse];
    case "lambda":
      return [expr.body];
    default:
      return [];
  }
}
