import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { type BicepFile, type ModuleDecl, objectBody, parseBicep, property, type ResourceDecl } from "./bicepSource";

/** The deployment as the tests see it: infra/ parsed, plus the files of the app that the deployment must agree with. */

export const repoRoot = path.resolve(__dirname, "../..");
export const infraDir = path.join(repoRoot, "infra");

export function readRepoFile(relativePath: string): string {
  return readFileSync(path.join(repoRoot, relativePath), "utf8");
}

export function readRepoJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readRepoFile(relativePath)) as T;
}

/** Every `.bicep` file under infra/, keyed by its path relative to infra/ with forward slashes (`app/storage.bicep`). */
export function loadBicepFiles(): Map<string, BicepFile> {
  const files = new Map<string, BicepFile>();
  for (const entry of readdirSync(infraDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".bicep")) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    files.set(path.relative(infraDir, absolute).split(path.sep).join("/"), parseBicep(readFileSync(absolute, "utf8")));
  }
  return files;
}

export function bicepFile(files: ReadonlyMap<string, BicepFile>, relativePath: string): BicepFile {
  const file = files.get(relativePath);
  if (!file) throw new Error(`infra/${relativePath} is missing`);
  return file;
}

/** The module declarations in `file` that deploy infra/`target` (paths resolved relative to `fileDir`). */
export function modulesDeploying(file: BicepFile, fileDir: string, target: string): ModuleDecl[] {
  return file.modules.filter((module) => path.posix.normalize(path.posix.join(fileDir, module.path)) === target);
}

/** The expression a module declaration passes for one parameter. */
export function moduleParam(module: ModuleDecl, name: string): string | undefined {
  return property(objectBody(property(module.body, "params")) ?? "", name);
}

export function resourcesOfType(file: BicepFile, type: string): ResourceDecl[] {
  return file.resources.filter((resource) => resource.type.toLowerCase() === type.toLowerCase());
}

/** Follows `var` names (`foo` → the var's expression), so a property set through a variable compares as its value. */
export function resolveVar(file: BicepFile, expression: string | undefined): string | undefined {
  let current = expression?.trim();
  for (let hops = 0; current !== undefined && hops < 10; hops++) {
    const next = file.vars.get(current);
    if (next === undefined) return current;
    current = next.trim();
  }
  return current;
}

/** A nested property by path, e.g. `properties.functionAppConfig.runtime`. */
export function propertyPath(body: string, dottedPath: string): string | undefined {
  const keys = dottedPath.split(".");
  let current = body;
  for (const [index, key] of keys.entries()) {
    const value = property(current, key);
    if (value === undefined || index === keys.length - 1) return value;
    const nested = objectBody(value);
    if (nested === undefined) return undefined;
    current = nested;
  }
  return undefined;
}

export interface AzureYamlService {
  project?: string;
  language?: string;
  host?: string;
  dist?: string;
  remoteBuild?: boolean;
  hooks?: Record<
    string,
    {
      run?: string;
      shell?: string;
      posix?: { run?: string; shell?: string };
      windows?: { run?: string; shell?: string };
    }
  >;
}

export function loadAzureYaml(): { name?: string; services?: Record<string, AzureYamlService> } {
  return parseYaml(readRepoFile("azure.yaml")) as { name?: string; services?: Record<string, AzureYamlService> };
}

export interface PackageJson {
  main?: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function loadPackageJson(): PackageJson {
  return readRepoJson<PackageJson>("package.json");
}
