import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { FieldMapping } from "../../shared/config/profile";
import type { ColumnDefinition } from "../../shared/mapping";
import {
  buildFieldCodecs,
  type FieldCodecOptions,
  type FieldCodecs,
  type ManagedTable,
  parseStorage,
  type StorageDocument,
  selectManagedTable,
} from "../../shared/mapping";

export const fixturesDir = path.resolve(__dirname, "../fixtures/confluence");

export function fixtureNames(): string[] {
  return readdirSync(fixturesDir)
    .filter((name) => name.endsWith(".xml"))
    .sort();
}

export function readFixture(name: string): string {
  return readFileSync(path.join(fixturesDir, name), "utf8");
}

export function parsed(source: string, pageId = "123"): StorageDocument {
  const result = parseStorage(source, { pageId });
  if (!result.ok) throw new Error(`fixture does not parse: ${result.error.message}`);
  return result.document;
}

export function codecsFor(
  fields: FieldMapping[],
  columns: ColumnDefinition[],
  options: FieldCodecOptions = {},
): FieldCodecs {
  const result = buildFieldCodecs(fields, columns, options);
  if (!result.ok) throw new Error(result.errors.map((error) => error.message).join("\n"));
  return result.codecs;
}

export function managed(source: string, codecs: FieldCodecs, keyColumn = "ID"): ManagedTable {
  const result = selectManagedTable(parsed(source), { keyColumn, table: { index: 0 } }, codecs);
  if (!result.ok) expect.fail(result.errors.map((error) => error.message).join("\n"));
  return result.table;
}
