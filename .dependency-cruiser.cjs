// The layer rules of docs/design.md §2.2, checked by `npm run check:layers` (part of `npm test`).
// dependency-cruiser resolves every import (type-only ones too) to a file, so a rule is about folders, not about how
// a path happens to be spelled. It parses TypeScript with swc, because TypeScript 7 ships no JavaScript API.
/** Our own code outside the pure core's allowed neighbours. */
const OURS = "^(functions|shared|cli|dev|test|bench)/";
/** The folders a Function App package ships (infra/scripts/stageFunctionApp.mjs drops the rest). */
const SHIPPED = "^(functions|shared)/";
const NOT_SHIPPED = "^(cli|dev|test|bench)/";

module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment:
        "shared/sync and shared/mapping are the pure core: they import each other, shared/errors and shared/runtime, " +
        "and nothing else of ours. Vocabulary the core decides with (directions, policies, formats) is defined in the core.",
      severity: "error",
      from: { path: "^shared/(sync|mapping)/" },
      to: { path: OURS, pathNot: "^shared/(sync|mapping|errors|runtime)/" },
    },
    {
      name: "core-does-no-io",
      comment: "the pure core imports no Node built-in that does I/O (node:crypto for hashing is fine).",
      severity: "error",
      from: { path: "^shared/(sync|mapping)/" },
      to: { dependencyTypes: ["core"], pathNot: "^(node:)?(crypto|util)$" },
    },
    {
      name: "shipped-code-stays-shipped",
      comment:
        "functions/ and shared/ are what the Function App ships; they never import cli/, dev/ (emulators, sandbox, " +
        "local Durable host, embedded Azurite), test/ or bench/.",
      severity: "error",
      from: { path: SHIPPED },
      to: { path: NOT_SHIPPED },
    },
    {
      name: "shipped-code-uses-runtime-dependencies",
      comment: "functions/ and shared/ import only packages in `dependencies`: devDependencies are not deployed.",
      severity: "error",
      from: { path: SHIPPED },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "shared-never-imports-functions",
      comment: "functions/ is the Azure wiring over shared/, never the other way round.",
      severity: "error",
      from: { path: "^shared/" },
      to: { path: "^functions/" },
    },
    {
      name: "engine-knows-no-host",
      comment: "shared/engine is one run; the host wiring (functionsApp, syncStart, webhooks, diagnostics) drives it.",
      severity: "error",
      from: { path: "^shared/engine/" },
      to: { path: "^shared/(functionsApp|syncStart|webhooks|diagnostics)/" },
    },
    {
      name: "adapters-below-config",
      comment: "settings, secrets and state are below profiles (config), the wire clients and the engine.",
      severity: "error",
      from: { path: "^shared/(settings|secrets|state|resilience)/" },
      to: { path: "^shared/(config|sharepoint|confluence|engine|diagnostics|syncStart|webhooks|functionsApp)/" },
    },
    {
      name: "wire-below-engine",
      comment: "the SharePoint and Confluence clients know nothing of runs or hosts.",
      severity: "error",
      from: { path: "^shared/(sharepoint|confluence)/" },
      to: { path: "^shared/(engine|diagnostics|syncStart|webhooks|functionsApp)/" },
    },
    {
      name: "dev-is-not-the-cli",
      comment: "dev/ (emulators, sandbox, local host) serves cli/, test/ and bench/; it never imports the CLI.",
      severity: "error",
      from: { path: "^dev/" },
      to: { path: "^(cli|test|bench)/" },
    },
    {
      name: "no-cycles",
      comment: "no import cycle in code that runs (type-only imports count: they are how the layers read).",
      severity: "error",
      from: { path: "^(functions|shared|cli|dev)/" },
      to: { circular: true },
    },
    {
      name: "no-unresolvable",
      comment: "every relative import resolves to a file.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|build)/" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
