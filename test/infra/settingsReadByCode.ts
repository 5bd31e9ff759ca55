import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { readAppSettings } from "../../shared/settings/appSettings";
import { readRepoFile, repoRoot } from "./infraProject";

/** Where the app's settings are read, for the infra tests: the code's schema, host.json and function bindings. */

/**
 * Every environment variable `readAppSettings` looks at, observed rather than parsed: it reads a recording env, so a
 * setting added to shared/settings/appSettings.ts (in the schema or beside it) shows up here without this file changing.
 */
export function settingsReadByAppSettings(): Set<string> {
  const read = new Set<string>();
  const recordingEnv = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, key) {
      if (typeof key === "string") read.add(key);
      return undefined;
    },
  });
  try {
    readAppSettings(recordingEnv, repoRoot);
  } catch {
    // A setting that is required without a default makes the parse fail on the empty env; it was still read.
  }
  return read;
}

/** `%SETTING%` references: the host resolves them from app settings (host.json and trigger/binding options). */
export function percentReferences(text: string): Set<string> {
  return new Set([...text.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g)].map((m) => m[1] ?? ""));
}

/** host.json's app-setting references and the connection names its extensions use. */
export function hostJsonSettings(): { references: Set<string>; connections: Set<string> } {
  const text = readRepoFile("host.json");
  const connections = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (/^connection(StringName|Name)?$/.test(key) && typeof child === "string") connections.add(child);
        else visit(child);
      }
    }
  };
  visit(JSON.parse(text));
  return { references: percentReferences(text), connections };
}

/** Source of the Functions wiring (functions/**\/*.ts); empty while no function exists yet. */
export function functionSources(): Array<{ file: string; text: string }> {
  const dir = path.join(repoRoot, "functions");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file: path.relative(repoRoot, file), text: readFileSync(file, "utf8") };
    });
}

/** Settings the function registrations reference: `%SETTING%` in trigger options and `connection: "NAME"`. */
export function functionBindingSettings(): { references: Set<string>; connections: Set<string>; routes: Set<string> } {
  const references = new Set<string>();
  const connections = new Set<string>();
  const routes = new Set<string>();
  for (const { text } of functionSources()) {
    for (const name of percentReferences(text)) references.add(name);
    for (const match of text.matchAll(/\bconnection\s*:\s*["'`]([^"'`]+)["'`]/g)) connections.add(match[1] ?? "");
    for (const match of text.matchAll(/\broute\s*:\s*["'`]([^"'`]+)["'`]/g)) routes.add(match[1] ?? "");
  }
  return { references, connections, routes };
}
