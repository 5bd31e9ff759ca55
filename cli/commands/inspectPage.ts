import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import {
  type ConfigServices,
  isPagesProfile,
  type PagesProfile,
  readAppSettings,
  tableProfile,
} from "../../shared/config";
import { codecsFor } from "../../shared/engine/codecInputs";
import { ListDirectoryCache } from "../../shared/engine/listDirectoryCache";
import { templateSetup } from "../../shared/engine/pages/pagesSetup";
import { ProfileConnections } from "../../shared/engine/profileConnections";
import {
  type CellReading,
  inspectPage,
  type PageInspection,
  parseStorage,
  type TableInspection,
} from "../../shared/mapping";
import { type BlockInspection, inspectBlock } from "../../shared/mapping/blockInspection";
import { selectPageBlock } from "../../shared/mapping/keyValueBlock";
import type { StateStores } from "../../shared/state/stateStores";
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
    .option("--item <id>", "pages mode: the page of this list item, and its block as the sync reads it")
    .option("--page <id>", "pages mode: this page, and its block as the sync reads it")
    .option("--json", "machine-readable output")
    .action(async (options: { file?: string; profile?: string; item?: string; page?: string; json?: boolean }) => {
      if ((options.file === undefined) === (options.profile === undefined)) {
        throw new CliError("inspect-page needs exactly one of --file <page.xml> or --profile <key>");
      }
      if (options.item !== undefined || options.page !== undefined) {
        if (options.profile === undefined) throw new CliError("--item and --page go with --profile <key> (pages mode)");
        const inspected = await itemPageBlock(io, options.profile, { item: options.item, page: options.page });
        printResult(io, options.json === true, inspected, () => describeBlock(inspected));
        return;
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
      return withConnections(config, stores, async (connections) => {
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
  });
}

/** An item page's block as a pages-mode profile reads it: the page, its link, each mapped field, the gate. */
interface ItemPageInspection {
  source: string;
  page: { id: string; title: string; version: number };
  link: unknown;
  block: BlockInspection | { problems: { code: string; message: string }[] };
}

/**
 * `inspect-page --profile <key> --item <id> | --page <id>` for a pages-mode profile: the page (the item's, by the
 * link the sync stored), its link property, and its block read through the profile's field codecs, placeholders and
 * all. Reads (the list's columns, the page, its property, the template when the state has no copy of its
 * placeholders); writes nothing.
 */
async function itemPageBlock(
  io: CliIo,
  profileKey: string,
  which: { item: string | undefined; page: string | undefined },
): Promise<ItemPageInspection> {
  return withConfigServices(io, async (config) => {
    const { profile } = await config.profiles.get(profileKey);
    if (!isPagesProfile(profile))
      throw new CliError(`profile "${profileKey}" is not in pages mode; leave out --item / --page`);
    return withStateStores(io, readAppSettings(io.env, io.cwd), async (stores) => {
      let pageId = which.page;
      if (pageId === undefined) {
        const link = (await stores.pageLinks.items(profileKey, [which.item ?? ""])).get(which.item ?? "");
        if (link?.pageId === null || link?.pageId === undefined)
          throw new CliError(`item ${which.item} of profile "${profileKey}" has no linked page (yet)`);
        pageId = link.pageId;
      }
      return withConnections(config, stores, (connections) => readItemPage(connections, stores, profile, pageId));
    });
  });
}

/**
 * The profile connections of this process (the sync's secrets, rotating refresh token and token-refresh history),
 * for `use`; a rotated refresh token the store refused is kept in memory, so it gets one more try before this
 * process ends.
 */
async function withConnections<T>(
  config: ConfigServices,
  stores: StateStores,
  use: (connections: ProfileConnections) => Promise<T>,
): Promise<T> {
  const connections = new ProfileConnections({
    secrets: config.secrets,
    tokenHistory: stores.tokenRefreshes,
    grantLedger: stores.confluenceGrants,
    endpoints: config.validator.endpoints,
  });
  try {
    return await use(connections);
  } finally {
    await connections.tokens.settle();
  }
}

async function readItemPage(
  connections: ProfileConnections,
  stores: StateStores,
  profile: PagesProfile,
  pageId: string,
): Promise<ItemPageInspection> {
  const target = profile.confluence.target;
  const [client, sharePoint] = await Promise.all([connections.confluence(profile), connections.sharePoint(profile)]);
  const directory = await new ListDirectoryCache({}).get(profile, sharePoint);
  const codecs = codecsFor(profile, { ...directory, samples: {}, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" });
  if (!codecs.ok) throw new CliError(codecs.errors.map((error) => error.message).join("; "));
  const page = await client.getPage(pageId, { storage: true });
  const property = await client.getProperty(pageId, target.linkProperty);
  const stored = (await stores.cursors.get(profile.key))?.cursor.pages?.setup?.placeholders;
  let placeholders = new Map(Object.entries(stored ?? {}));
  if (stored === undefined) {
    const template = await client.getPage(target.templatePageId, { storage: true });
    const found = templateSetup(profile, codecs.codecs, template);
    if (found.ok) placeholders = new Map(Object.entries(found.setup.placeholders));
  }
  const parsed = parseStorage(page.storage ?? "", { pageId });
  const source = `page ${pageId} "${page.title}" (profile ${profile.key}, version ${page.version.number})`;
  const base = {
    source,
    page: { id: page.id, title: page.title, version: page.version.number },
    link: property?.value ?? null,
  };
  if (!parsed.ok) return { ...base, block: { problems: [{ code: parsed.error.code, message: parsed.error.message }] } };
  const block = selectPageBlock(parsed.document, target.block, codecs.codecs, { gateKey: profile.gates.confluence });
  if (!block.ok)
    return {
      ...base,
      block: { problems: block.errors.map((error) => ({ code: error.code, message: error.message })) },
    };
  return { ...base, block: inspectBlock(block.block, placeholders) };
}

function describeBlock(inspection: ItemPageInspection): string {
  const lines = [`${inspection.source}`, `  link property: ${JSON.stringify(inspection.link)}`];
  const block = inspection.block;
  if ("problems" in block) {
    lines.push("  the sync cannot read this page's block:");
    for (const problem of block.problems) lines.push(`    ${problem.code}: ${problem.message}`);
    return lines.join("\n");
  }
  lines.push(`  block: ${block.location}`);
  for (const field of block.fields) {
    const value = field.placeholder
      ? "unset (the template's placeholder)"
      : field.value.ok
        ? JSON.stringify(field.value.value)
        : `${field.value.code}: ${field.value.message}`;
    lines.push(
      `  ${field.key} (${field.field}): ${JSON.stringify(field.text)}${describeReadings(field.readings)} → ${value}`,
    );
  }
  if (block.gate !== undefined)
    lines.push(
      `  gate: ${block.gate.kind === "invalid" ? `"${block.gate.text}" is not yes or no (closed)` : block.gate.kind}`,
    );
  return lines.join("\n");
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
