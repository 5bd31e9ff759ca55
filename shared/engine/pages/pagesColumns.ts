import type { PagesProfile } from "../../config/profile";
import type { ColumnDefinition } from "../../mapping";
import { PREFER_API_VERSION_2_1 } from "../../sharepoint/batchWriter";
import type { SharePointItem } from "../../sharepoint/listItem";
import { selectedFieldKeys } from "../codecInputs";

/** The SharePoint columns pages mode reads besides the mapped fields: the page id, the page URL, the gate. */
export function pagesSelect(profile: PagesProfile, columns: readonly ColumnDefinition[]): string[] {
  const target = profile.confluence.target;
  const extra = [target.pageIdColumn, target.pageUrlColumn, profile.gates.sharePoint].filter(
    (key): key is string => key !== undefined,
  );
  return [...new Set([...selectedFieldKeys(profile, columns), ...extra])].sort();
}

/** A profile problem found against the list's columns, at its path in the profile. */
export interface ColumnProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The link and gate columns must exist and have the right type (docs/pages-mode.md §3): the page id in a single line
 * of text (Cloud page ids exceed 2^31; a number column would show them with separators and round-trip them through
 * floating point), the URL in text or a hyperlink, the gate a yes/no column.
 */
export function checkPagesColumns(profile: PagesProfile, columns: readonly ColumnDefinition[]): ColumnProblem[] {
  const target = profile.confluence.target;
  const problems: ColumnProblem[] = [];
  const find = (name: string) => columns.find((column) => column.name === name);
  const describe = (column: ColumnDefinition): string =>
    Object.keys(column).find((key) =>
      ["text", "number", "currency", "boolean", "choice", "dateTime", "personOrGroup", "lookup", "calculated"].includes(
        key,
      ),
    ) ?? "of an unknown type";
  const pageId = find(target.pageIdColumn);
  if (pageId === undefined)
    problems.push({
      path: "confluence.target.pageIdColumn",
      message: `the list has no column "${target.pageIdColumn}"`,
    });
  else if (pageId.text === undefined || pageId.text.allowMultipleLines === true)
    problems.push({
      path: "confluence.target.pageIdColumn",
      message: `column "${target.pageIdColumn}" is ${describe(pageId)}, not a single line of text (page ids exceed 2^31 and must be kept as text)`,
    });
  if (target.pageUrlColumn !== undefined) {
    const url = find(target.pageUrlColumn);
    if (url === undefined)
      problems.push({
        path: "confluence.target.pageUrlColumn",
        message: `the list has no column "${target.pageUrlColumn}"`,
      });
    else if (url.text === undefined && url.hyperlinkOrPicture === undefined && describe(url) !== "of an unknown type")
      problems.push({
        path: "confluence.target.pageUrlColumn",
        message: `column "${target.pageUrlColumn}" is ${describe(url)}; use a text or hyperlink column`,
      });
  }
  const gate = profile.gates.sharePoint;
  if (gate !== undefined) {
    const column = find(gate);
    if (column === undefined) problems.push({ path: "gates.sharePoint", message: `the list has no column "${gate}"` });
    else if (column.boolean === undefined)
      problems.push({ path: "gates.sharePoint", message: `column "${gate}" is ${describe(column)}, not yes/no` });
  }
  return problems;
}

/** What an item says about its page and its gate, besides the mapped fields. */
export interface ItemExtras {
  /** The page id column: a page id, none, or text that is no page id (reported, never paired). */
  readonly pageId:
    | { readonly kind: "page"; readonly id: string }
    | { readonly kind: "none" }
    | { readonly kind: "invalid"; readonly text: string };
  readonly pageUrl: string | null;
  /** The SharePoint gate is open (no gate configured: always). */
  readonly gateOpen: boolean;
}

export function itemExtras(profile: PagesProfile, item: SharePointItem): ItemExtras {
  const target = profile.confluence.target;
  const raw = item.fields[target.pageIdColumn];
  const text = typeof raw === "string" ? raw.trim() : typeof raw === "number" ? String(raw) : "";
  const pageId: ItemExtras["pageId"] =
    text === "" ? { kind: "none" } : /^\d+$/.test(text) ? { kind: "page", id: text } : { kind: "invalid", text };
  const url = target.pageUrlColumn === undefined ? undefined : item.fields[target.pageUrlColumn];
  const gate = profile.gates.sharePoint;
  return {
    pageId,
    pageUrl:
      typeof url === "string"
        ? url
        : url !== null && typeof url === "object"
          ? String((url as { Url?: unknown }).Url ?? "")
          : null,
    gateOpen: gate === undefined || item.fields[gate] === true,
  };
}

/**
 * The value a backlink writes into the URL column: a text column takes the URL; a hyperlink column takes it as the
 * profile's `sharePoint.hyperlinkWrite` says (docs/references.md#graph-field-values): `{Url, Description}` sent with
 * `Prefer: apiversion=2.1` (the default), or `"url, description"` text.
 */
export function pageUrlValue(
  columns: readonly ColumnDefinition[],
  column: string,
  url: string,
  description: string,
  hyperlinkWrite: "object" | "text" = "object",
): { readonly value: unknown; readonly prefer?: readonly string[] } {
  const definition = columns.find((candidate) => candidate.name === column);
  if (definition?.text !== undefined) return { value: url };
  if (hyperlinkWrite === "text") return { value: `${url}, ${description.replace(/,\s/g, " ")}` };
  return { value: { Url: url, Description: description }, prefer: [PREFER_API_VERSION_2_1] };
}
