import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./infraProject";

/**
 * The prepackage step azd runs (npm run package:functionapp → infra/scripts/stageFunctionApp.mjs), end to end on a
 * small project made of this repository's package.json, lock file, host.json and tsconfigs plus one function: what it
 * stages is what the Flex Consumption app runs, so it must hold the built app and production dependencies only, and
 * refuse a package that could not load in Azure.
 *
 * Dependencies install with `npm ci --offline` from the npm cache that installing this repository filled.
 */

const run = promisify(execFile);
const stageScript = path.join(repoRoot, "infra", "scripts", "stageFunctionApp.mjs");

let project: string;
let staged: string;

async function stage(...args: string[]) {
  return run(process.execPath, [stageScript, "--project", project, ...args], { cwd: project, encoding: "utf8" });
}

async function stageFailure(...args: string[]): Promise<string> {
  try {
    await stage(...args);
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    return `${stdout ?? ""}${stderr ?? ""}`;
  }
  throw new Error(`staging with ${args.join(" ")} succeeded but should have failed`);
}

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), "stage-function-app-"));
  for (const file of ["package.json", "package-lock.json", "host.json", "tsconfig.json", "tsconfig.build.json"]) {
    await cp(path.join(repoRoot, file), path.join(project, file));
  }
  // The build needs TypeScript and the type packages; the staged install must not see them.
  await symlink(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"), "junction");
  await mkdir(path.join(project, "functions"));
  await mkdir(path.join(project, "shared"));
  await mkdir(path.join(project, "test", "emulators"), { recursive: true });
  await writeFile(
    path.join(project, "functions", "probe.ts"),
    [
      'import { app } from "@azure/functions";',
      'import { greeting } from "../shared/greeting";',
      'app.http("probe", { authLevel: "anonymous", handler: async () => ({ body: greeting }) });',
    ].join("\n"),
  );
  await writeFile(path.join(project, "shared", "greeting.ts"), 'export const greeting = "hello";\n');
  await writeFile(path.join(project, "test", "emulators", "fake.ts"), "export const fake = true;\n");

  const { stdout } = await stage("--offline");
  expect(stdout).toMatch(/ready: .*1 entry point/);
  staged = path.join(project, "build", "functionapp");
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("the staged Function App package", () => {
  it("holds the built app, host.json and a package.json trimmed to what the host reads", async () => {
    expect((await readdir(staged)).sort()).toEqual(["dist", "host.json", "node_modules", "package.json"]);
    expect((await readdir(path.join(staged, "dist"))).sort()).toEqual(["functions", "shared"]);
    expect(await readdir(path.join(staged, "dist", "functions"))).toContain("probe.js");
    const manifest = JSON.parse(await readFile(path.join(staged, "package.json"), "utf8")) as Record<string, unknown>;
    const source = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty("devDependencies");
    expect(manifest).not.toHaveProperty("scripts");
    expect(manifest.main).toBe(source.main);
    expect(manifest.dependencies).toEqual(source.dependencies);
  });

  it("installs production dependencies only: no pinned node runtime, compiler, emulator or test runner", async () => {
    const installed = await readdir(path.join(staged, "node_modules"));
    expect(installed).toContain("durable-functions");
    expect(await readdir(path.join(staged, "node_modules", "@azure"))).toContain("functions");
    for (const devOnly of ["node", "typescript", "azurite", "vitest", "fastify", "@types"])
      expect(installed).not.toContain(devOnly);
  });

  it("refuses a package whose entry point needs a devDependency (it would resolve locally, and fail in Azure)", async () => {
    const devImport = path.join(staged, "dist", "functions", "devOnly.js");
    await writeFile(devImport, 'require("fastify");\n');
    try {
      const output = await stageFailure("--verify-only");
      expect(output).toMatch(/Cannot find module 'fastify' inside the staged package/);
    } finally {
      await rm(devImport);
    }
  });

  it("refuses a package carrying a native addon built for this machine", async () => {
    const addon = path.join(staged, "node_modules", "zod", "native.node");
    await writeFile(addon, "");
    try {
      expect(await stageFailure("--verify-only")).toMatch(/native addons .*zod[/\\]native\.node/);
    } finally {
      await rm(addon);
    }
  });

  it("passes its own verification again once the package is back as staged", async () => {
    const { stdout } = await stage("--verify-only");
    expect(stdout).toMatch(/ready/);
  });
});
