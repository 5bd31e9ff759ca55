#!/usr/bin/env node
// @ts-check
/**
 * Stages the package that `azd deploy` uploads to the Flex Consumption app (azure.yaml: services.api.dist), and proves
 * it runs on its own.
 *
 *   node infra/scripts/stageFunctionApp.mjs [--project DIR] [--out DIR] [--offline] [--verify-only]
 *
 * The staged folder holds exactly what the Functions host needs: a fresh `npm run build` of the app (minus the
 * dev-only test/, bench/, dev/ and cli/ outputs), host.json, a package.json trimmed to what the host reads (`main`, `engines`,
 * dependencies) and node_modules with production dependencies only, installed from package-lock.json with scripts
 * off. No devDependency ships: not the pinned `node` runtime, not TypeScript, not Azurite.
 *
 * Because the package is built here and uploaded as is (remoteBuild: false), two checks guard it:
 *   - no native addon (*.node) may be in it: one compiled on the operator's OS would not load on Linux in Azure;
 *   - every entry point named by package.json `main` is loaded from the staged copy, with module resolution fenced
 *     inside the package, so an import of a devDependency (or of the dropped test/ output) fails here and not in Azure.
 *
 * Runs under the project's pinned Node (npm run package:functionapp). Node built-ins only.
 */
import { spawnSync } from "node:child_process";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

/** Where azure.yaml (services.api.dist) expects the staged package, relative to the project. */
const DEFAULT_OUT_DIR = "build/functionapp";

/** Compiled trees that exist only for development (tsconfig.build.json compiles them next to the app). */
const DEV_ONLY_OUTPUTS = ["test", "bench", "dev", "cli"];

/** The package.json fields the Functions host and Node read at run time. */
const RUNTIME_PACKAGE_FIELDS = [
  "name",
  "version",
  "private",
  "description",
  "license",
  "main",
  "engines",
  "dependencies",
];

class StageError extends Error {
  name = "StageError";
}

const log = (/** @type {string} */ message) => console.log(`stage-function-app: ${message}`);

async function main() {
  const { values } = parseArgs({
    options: {
      project: { type: "string" },
      out: { type: "string" },
      offline: { type: "boolean", default: false },
      "verify-only": { type: "boolean", default: false },
    },
    strict: true,
  });
  const project = path.resolve(values.project ?? process.cwd());
  const out = path.resolve(project, values.out ?? DEFAULT_OUT_DIR);

  if (!values["verify-only"]) await stage(project, out, { offline: values.offline });
  const report = await verify(out);
  log(
    `ready: ${path.relative(process.cwd(), out) || "."} (${report.entries.length} entry point(s), ${report.packages} packages)`,
  );
}

/**
 * @param {string} project
 * @param {string} out
 * @param {{ offline: boolean }} options
 */
async function stage(project, out, options) {
  // The folder is emptied first, so it must never be the project or one of its ancestors.
  const projectFromOut = path.relative(out, project);
  if (!projectFromOut.startsWith("..") && !path.isAbsolute(projectFromOut)) {
    throw new StageError(`refusing to stage into ${out}: it is or contains the project`);
  }

  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  // A build of its own into the staging folder: no stale output of a deleted function can ship.
  log("building");
  npm(["run", "build", "--", "--outDir", path.join(out, "dist")], project);
  for (const devOnly of DEV_ONLY_OUTPUTS) await rm(path.join(out, "dist", devOnly), { recursive: true, force: true });

  for (const file of ["host.json", "package.json", "package-lock.json"]) {
    await cp(path.join(project, file), path.join(out, file));
  }

  log("installing production dependencies");
  npm(
    ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", ...(options.offline ? ["--offline"] : [])],
    out,
  );

  // The lock file has served its purpose; the trimmed package.json would no longer match it.
  const manifest = JSON.parse(await readFile(path.join(out, "package.json"), "utf8"));
  const runtimeManifest = Object.fromEntries(
    RUNTIME_PACKAGE_FIELDS.filter((f) => f in manifest).map((f) => [f, manifest[f]]),
  );
  await writeFile(path.join(out, "package.json"), `${JSON.stringify(runtimeManifest, null, 2)}\n`);
  await rm(path.join(out, "package-lock.json"), { force: true });
}

/**
 * @param {string} out
 * @returns {Promise<{ entries: string[], packages: number }>}
 */
async function verify(out) {
  if (!(await isFile(path.join(out, "host.json")))) throw new StageError(`${out} has no host.json`);
  const manifest = JSON.parse(await readFile(path.join(out, "package.json"), "utf8"));
  if (typeof manifest.main !== "string") throw new StageError("package.json has no main");
  if ("devDependencies" in manifest || "scripts" in manifest) {
    throw new StageError("the staged package.json still lists devDependencies or scripts");
  }

  const entries = await expandMain(out, manifest.main);
  if (entries.length === 0) {
    throw new StageError(
      `package.json main "${manifest.main}" matches no file in ${out}: the app registers no function`,
    );
  }

  const nativeAddons = (await listFiles(path.join(out, "node_modules"))).filter((f) => f.endsWith(".node"));
  if (nativeAddons.length > 0) {
    throw new StageError(
      `native addons in the package would be built for this machine, not for Linux in Azure: ${nativeAddons
        .map((f) => path.relative(out, f))
        .join(", ")}`,
    );
  }

  loadEntries(out, entries);
  return { entries, packages: await countPackages(path.join(out, "node_modules")) };
}

/**
 * Loads each entry point in a fresh Node process whose module resolution may not leave `out` — a plain `require`
 * would walk up past the package into the project's own node_modules and find devDependencies there.
 *
 * @param {string} out
 * @param {string[]} entries
 */
function loadEntries(out, entries) {
  const fencedLoad = `
    const Module = require("node:module");
    const path = require("node:path");
    const [root, ...entries] = process.argv.slice(1);
    const resolveFilename = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      const found = resolveFilename.call(this, request, ...rest);
      if (path.isAbsolute(found) && path.relative(root, found).startsWith("..")) {
        // Reported as missing, which is what it will be in Azure (optional-dependency probes treat it so too).
        const error = new Error("Cannot find module '" + request + "' inside the staged package (it resolved to " + found + ")");
        error.code = "MODULE_NOT_FOUND";
        throw error;
      }
      return found;
    };
    for (const entry of entries) require(entry);
  `;
  const env = { ...process.env };
  delete env.NODE_PATH;
  const result = spawnSync(process.execPath, ["-e", fencedLoad, out, ...entries], { cwd: out, env, encoding: "utf8" });
  if (result.status !== 0) {
    // The thrown error's own line says what is missing; Node's source excerpt and stack around it do not.
    const lines = (result.stderr || result.stdout || "").split("\n");
    const errorLine = lines.find((line) => /^\w*Error\b/.test(line)) ?? lines.find((line) => line.trim() !== "");
    throw new StageError(`loading the staged entry points failed: ${errorLine ?? `exit code ${result.status}`}`);
  }
}

/**
 * Expands package.json `main` the way the Functions Node worker accepts it: a file, or a glob with `*` in the file name
 * and optional `{a,b}` alternatives.
 *
 * @param {string} root
 * @param {string} main
 * @returns {Promise<string[]>}
 */
async function expandMain(root, main) {
  const braces = /^(.*)\{([^{}]+)\}(.*)$/.exec(main);
  const patterns = braces ? braces[2].split(",").map((alt) => `${braces[1]}${alt}${braces[3]}`) : [main];
  /** @type {string[]} */
  const files = [];
  for (const pattern of patterns) {
    const dir = path.join(root, path.dirname(pattern));
    const name = path.basename(pattern);
    if (path.dirname(pattern).includes("*")) throw new StageError(`unsupported main pattern "${main}"`);
    if (!name.includes("*")) {
      if (await isFile(path.join(dir, name))) files.push(path.join(dir, name));
      continue;
    }
    const matcher = new RegExp(`^${name.split("*").map(escapeRegExp).join("[^/]*")}$`);
    const names = await readdir(dir).catch(() => []);
    for (const candidate of names.sort()) {
      if (matcher.test(candidate) && (await isFile(path.join(dir, candidate)))) files.push(path.join(dir, candidate));
    }
  }
  return files;
}

/**
 * Runs npm with the same npm that runs this script when there is one (npm_execpath), so a Windows `npm.cmd` needs no
 * shell.
 *
 * @param {string[]} args
 * @param {string} cwd
 */
function npm(args, cwd) {
  const npmCli = process.env.npm_execpath;
  const useCli = npmCli !== undefined && /\.c?js$/.test(npmCli);
  const command = useCli ? process.execPath : "npm";
  const result = spawnSync(command, useCli ? [npmCli, ...args] : args, {
    cwd,
    stdio: "inherit",
    shell: !useCli && process.platform === "win32",
  });
  if (result.status !== 0) throw new StageError(`npm ${args.join(" ")} failed in ${cwd}`);
}

/** @param {string} dir @returns {Promise<string[]>} */
async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Top-level installed packages, counting each package of a scope (`@azure/...`) on its own. */
async function countPackages(/** @type {string} */ nodeModules) {
  let count = 0;
  for (const entry of await readdir(nodeModules, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    count += entry.name.startsWith("@") ? (await readdir(path.join(nodeModules, entry.name))).length : 1;
  }
  return count;
}

/** @param {string} file */
async function isFile(file) {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

main().catch((error) => {
  console.error(error instanceof StageError ? `stage-function-app: ${error.message}` : error);
  process.exitCode = 1;
});
