import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { readAppSettings, tableProfile } from "../../shared/config";
import { ProfileConnections } from "../../shared/engine/profileConnections";
import {
  type CellReading,
  inspectPage,
  type PageInspection,
  parseStorage,
  type TableInspection,
} from "../../shared/mapping";
import { CliError, type CliIo, printResult } from "../cliContext";
import { withConfigServices } from "../withConfigServices";
import { withStateStores } from "../withStateStores";

/**
 * `confluence-sync inspect-page (--file <page> | --profile <key>) [--json]`: the tables on a page as the sync sees
 * them (headers, rows, each cell's text and typed readings, warnings). The file holds storage XHTML, or a page as the
 * REST API returns it with `body-format=storage` (JSON with `body.storage.value`); `--profile` reads the profile's
 * live page through its own connection.
 */
export function registerInspectPageCommand(program: Command, io: CliIo): void {
  program
    .command("inspect-page")
    .description("show the tables of a Confluence page (storage format) as the sync reads them")
    .option("--file <file>", "storage XHTML, or a page JSON from the REST API (body-format=storage)")
    .option("--profile <key>", "read the profile's live page through its Confluence connection")
    .option("--json", "machine-readable output")
    .action(async (options: { file?: string; profile?: string; json?: boolean }) => {
      if ((options.file === undefined) === (options.profile === undefined)) {
        throw new CliError("inspect-page needs exactly one of --file <page.xml> or --profile <key>");
      }
      const source =
        options.profile !== undefined ? await livePage(io, options.profile) : await pageFile(io, options.file!);
      const { storage, pageId } = source;
      const label = source.label;
      const parsed = parseStorage(storage, pageId === undefined ? {} : { pageId });
      if (!parsed.ok) throw new CliError(`${label} is not Confluence storage format: ${parsed.error.message}`);
      const inspection = inspectPage(parsed.document);
      printResult(io, options.json === true, { source: label, ...inspection }, () =>
        describeInspection(label, inspection),
      );
    });
}

interface PageSource {
  storage: string;
  pageId?: string;
  /** How the page is named in output: the file, or the profile and page. */
  label: string;
}

async function pageFile(io: CliIo, name: string): Promise<PageSource> {
  const file = path.resolve(io.cwd, name);
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ...storageOf(raw, file), label: file };
}

/**
 * The profile's page as the sync would read it: through the same connection (secrets, rotating refresh token,
 * token-refresh history), with one page read and no write.
 */
async function livePage(io: CliIo, profileKey: string): Promise<PageSource> {
  return withConfigServices(io, async (config) => {
    const { profile } = await config.profiles.get(profileKey);
    return withStateStores(io, readAppSettings(io.env, io.cwd), async (stores) => {
      const connections = new ProfileConnections({ secrets: config.secrets, tokenHistory: stores.tokenRefreshes });
      const client = await connections.confluence(profile);
      const pageId = tableProfile(profile).confluence.target.pageId;
      const page = await client.getPage(pageId, { storage: true });
      if (page.storage === undefined)
        throw new CliError(`page ${pageId} of profile "${profileKey}" came back without its storage body`);
      return {
        storage: page.storage,
        pageId,
        label: `page ${pageId} "${page.title}" (profile ${profileKey}, version ${page.version.number})`,
      };
    });
  });
}

/** A page JSON (v1 or v2 REST, `body.storage.value`) or the storage body itself. */
function storageOf(raw: string, file: string): { storage: string; pageId?: string } {
  const text = raw.replace(/^\uFEFF/, "");
  if (!text.trimStart().startsWith("{")) return { storage: text };
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${file} is not Confluence storage format: it starts like JSON but does not parse (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const record = page as { id?: unknown; body?: { storage?: { value?: unknown } } };
  const value = record.body?.storage?.value;
  if (typeof value !== "string") {
    throw new CliError(
      `${file} is not Confluence storage format: a JSON page must hold body.storage.value (fetch it with body-format=storage)`,
    );
  }
  return typeof record.id === "string" ? { storage: value, pageId: record.id } : { storage: value };
}

function describeInspection(label: string, inspection: PageInspection): string {
  const page =
    inspection.pageId === undefined || label.startsWith("page ") ? label : `page ${inspection.pageId} (${label})`;
  const lines = [`${page}: ${inspection.tables.length} table${inspection.tables.length === 1 ? "" : "s"}`];
  for (const table of inspection.tables) lines.push("", ...describeTable(table));
  return lines.join("\n");
}

function describeTable(table: TableInspection): string[] {
  const header =
    table.orientation === "keyValue"
      ? "key/value (first column <th>)"
      : table.headerSource === "none"
        ? "no header row"
        : `header from ${table.headerSource === "thead" ? "<thead>" : "first row of <th>"}`;
  const lines = [
    `Table ${table.number} (index ${table.number - 1})${table.nestedIn === undefined ? "" : `, nested in table ${table.nestedIn}`} — ${table.location}`,
    `  ${header}; ${table.columnCount} column${table.columnCount === 1 ? "" : "s"}, ${table.rows.length} row${table.rows.length === 1 ? "" : "s"}`,
  ];
  if (table.headerSource !== "none")
    lines.push(`  columns: ${table.headers.map((h, i) => `${i + 1}. ${h === "" ? "(empty)" : h}`).join(" | ")}`);
  for (const row of table.rows) {
    if (row.isHeader) continue;
    const [keyCell, ...valueCells] = row.cells;
    if (table.orientation === "keyValue" && keyCell !== undefined) {
      // Key/value tables read as "key: value", one row per property.
      const values = valueCells
        .map((cell) => `${JSON.stringify(cell.text)}${describeReadings(cell.readings)}`)
        .join(" | ");
      lines.push(`  ${keyCell.text === "" ? "(empty key)" : keyCell.text}: ${values}`);
      continue;
    }
    lines.push(`  row ${row.number}:`);
    for (const cell of row.cells) {
      const name = table.headers[cell.column - 1] || `column ${cell.column}`;
      const spans = `${cell.colspan === undefined ? "" : ` colspan=${cell.colspan}`}${cell.rowspan === undefined ? "" : ` rowspan=${cell.rowspan}`}`;
      lines.push(`    ${name}${spans}: ${JSON.stringify(cell.text)}${describeReadings(cell.readings)}`);
    }
  }
  for (const warning of table.warnings) lines.push(`  warning: ${warning}`);
  return lines;
}

function describeReadings(readings: readonly CellReading[]): string {
  return readings.length === 0 ? "" : `  [${readings.map(describeReading).join(", ")}]`;
}

function describeReading(reading: CellReading): string {
  switch (reading.kind) {
    case "status":
      return `status "${reading.title}" ${reading.colour}${reading.subtle ? " subtle" : ""}`;
    case "mention":
      return `mention ${reading.accountId}`;
    case "date":
      return `date ${reading.datetime}`;
    case "link": {
      const target = reading.target;
      const to =
        target.kind === "url"
          ? target.href
          : target.kind === "page"
            ? `page "${target.title}"${target.spaceKey === undefined ? "" : ` in ${target.spaceKey}`}`
            : target.kind === "attachment"
              ? `attachment ${target.filename}`
              : target.kind === "anchor"
                ? `#${target.anchor}`
                : target.resource;
      return `link → ${to}`;
    }
    case "task":
      return `task ${reading.complete ? "done" : "open"}`;
    case "emoticon":
      return `emoticon ${reading.name}`;
  }
}
