import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// The layer rules (.dependency-cruiser.cjs, docs/design.md §2.2) run over the real tree in `npm test`
// (`npm run check:layers`). Here each rule meets a small tree that breaks it, so a rule that stopped matching would
// show: the check must fail, and its message must name the rule.

const repoRoot = path.resolve(__dirname, "../..");
const cli = path.join(repoRoot, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const config = path.join(repoRoot, ".dependency-cruiser.cjs");

let tree: string | undefined;
afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

/** Writes the files (path → source) into a fresh folder and runs the layer check over it. */
function check(files: Record<string, string>): { status: number | null; output: string } {
  tree = mkdtempSync(path.join(os.tmpdir(), "layers-"));
  writeFileSync(
    path.join(tree, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext" } }),
  );
  writeFileSync(
    path.join(tree, "package.json"),
    JSON.stringify({ name: "fixture", dependencies: { zod: "*" }, devDependencies: { fastify: "*" } }),
  );
  // A devDependency the check can resolve, to tell it apart from a runtime dependency.
  mkdirSync(path.join(tree, "node_modules/fastify"), { recursive: true });
  writeFileSync(
    path.join(tree, "node_modules/fastify/package.json"),
    JSON.stringify({ name: "fastify", main: "index.js" }),
  );
  writeFileSync(path.join(tree, "node_modules/fastify/index.js"), "module.exports = {};\n");
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    writeFileSync(path.join(tree, file), source);
  }
  const roots = [...new Set(Object.keys(files).map((file) => file.split("/")[0]!))];
  const run = spawnSync(process.execPath, [cli, "--config", config, ...roots], { cwd: tree, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const clean = {
  "shared/errors/appError.ts": "export class AppError extends Error {}\n",
  "shared/sync/syncDirection.ts":
    'import { AppError } from "../errors/appError";\nexport type SyncDirection = "both";\nexport const e = AppError;\n',
  "shared/config/profile.ts":
    'import type { SyncDirection } from "../sync/syncDirection";\nexport type Profile = { direction: SyncDirection };\n',
  "shared/engine/prepareRun.ts": 'import type { Profile } from "../config/profile";\nexport type P = Profile;\n',
  "shared/functionsApp/appServices.ts": 'import type { P } from "../engine/prepareRun";\nexport type A = P;\n',
  "functions/manualSync.ts": 'import type { A } from "../shared/functionsApp/appServices";\nexport type F = A;\n',
  "dev/emulators/graph.ts": 'import type { Profile } from "../../shared/config/profile";\nexport type G = Profile;\n',
  "cli/main.ts": 'import type { G } from "../dev/emulators/graph";\nexport type C = G;\n',
};

describe("layer rules", () => {
  it("pass on a tree that keeps them", () => {
    const result = check(clean);
    expect(result.output).toContain("no dependency violations found");
    expect(result.status).toBe(0);
  });

  it.each([
    [
      "core-is-pure",
      { "shared/sync/rules.ts": 'import type { Profile } from "../config/profile";\nexport type R = Profile;\n' },
    ],
    [
      "core-does-no-io",
      { "shared/mapping/page.ts": 'import { readFileSync } from "node:fs";\nexport const r = readFileSync;\n' },
    ],
    [
      "shipped-code-stays-shipped",
      { "shared/engine/host.ts": 'import type { G } from "../../dev/emulators/graph";\nexport type H = G;\n' },
    ],
    [
      "shipped-code-uses-runtime-dependencies",
      { "shared/state/store.ts": 'import fastify from "fastify";\nexport const f = fastify;\n' },
    ],
    [
      "shared-never-imports-functions",
      { "shared/webhooks/route.ts": 'import type { F } from "../../functions/manualSync";\nexport type W = F;\n' },
    ],
    [
      "engine-knows-no-host",
      { "shared/engine/wiring.ts": 'import type { A } from "../functionsApp/appServices";\nexport type E = A;\n' },
    ],
    [
      "adapters-below-config",
      { "shared/secrets/names.ts": 'import type { Profile } from "../config/profile";\nexport type N = Profile;\n' },
    ],
    [
      "wire-below-engine",
      { "shared/sharepoint/client.ts": 'import type { P } from "../engine/prepareRun";\nexport type S = P;\n' },
    ],
    ["dev-is-not-the-cli", { "dev/sandbox/demo.ts": 'import type { C } from "../../cli/main";\nexport type D = C;\n' }],
    [
      "no-cycles",
      {
        "shared/sync/a.ts": 'import type { B } from "./b";\nexport type A = B | 1;\n',
        "shared/sync/b.ts": 'import type { A } from "./a";\nexport type B = A | 2;\n',
      },
    ],
    ["no-unresolvable", { "shared/engine/missing.ts": 'import type { X } from "./nowhere";\nexport type M = X;\n' }],
  ])("%s: fails on a wrong import, naming the rule", (rule, wrong) => {
    const result = check({ ...clean, ...wrong });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(`error ${rule}:`);
  });
});
