import { createHash } from "node:crypto";
import type { PagesProfile } from "../../config/profile";
import { type ConfluenceClient, type ConfluencePage, isConfluenceError } from "../../confluence";
import { type ColumnDefinition, type FieldCodecs, parseStorage } from "../../mapping";
import { placeholderCells, selectPageBlock } from "../../mapping/keyValueBlock";
import type { PagesSetup } from "../../state/syncCursorStore";
import type { ColumnProblem } from "./pagesColumns";

export type SetupResult =
  | {
      readonly ok: true;
      readonly setup: PagesSetup;
      /** The template as read now, when the check read it. */
      readonly template?: { readonly storage: string; readonly version: number };
    }
  | { readonly ok: false; readonly problems: ColumnProblem[] };

/**
 * The checks a pages-mode profile passes before its first write, and again whenever the profile or the list's columns
 * change (docs/pages-mode.md §4): the parent page can be read (its space is where pages go), and the template page
 * holds the block, with every mapped key and the gate key. What it finds (the space, the template's placeholder
 * cells) is kept in the cursor, so a run whose setup is unchanged spends no call on it.
 */
export async function checkSetup(
  profile: PagesProfile,
  columns: readonly ColumnDefinition[],
  codecs: FieldCodecs,
  client: ConfluenceClient,
  stored: PagesSetup | undefined,
): Promise<SetupResult> {
  const fingerprint = setupFingerprint(profile, columns);
  if (stored?.fingerprint === fingerprint) return { ok: true, setup: stored };
  const target = profile.confluence.target;
  const parent = await readable(client, target.parentPageId, false);
  if (!parent.ok) return { ok: false, problems: [{ path: "confluence.target.parentPageId", message: parent.message }] };
  const template = await readable(client, target.templatePageId, true);
  if (!template.ok)
    return { ok: false, problems: [{ path: "confluence.target.templatePageId", message: template.message }] };
  const found = templateSetup(profile, codecs, template.page);
  if (!found.ok) return found;
  return {
    ok: true,
    setup: { fingerprint, spaceId: parent.page.spaceId, ...found.setup },
    template: { storage: template.page.storage ?? "", version: template.page.version.number },
  };
}

/** The template's block and placeholder cells, or why the template cannot serve. */
export function templateSetup(
  profile: PagesProfile,
  codecs: FieldCodecs,
  template: ConfluencePage,
):
  | { ok: true; setup: Pick<PagesSetup, "templateVersion" | "placeholders"> }
  | { ok: false; problems: ColumnProblem[] } {
  const target = profile.confluence.target;
  const path = "confluence.target.templatePageId";
  const parsed = parseStorage(template.storage ?? "", { pageId: template.id });
  if (!parsed.ok) return { ok: false, problems: [{ path, message: `the template: ${parsed.error.message}` }] };
  const block = selectPageBlock(parsed.document, target.block, codecs, { gateKey: profile.gates.confluence });
  if (!block.ok)
    return {
      ok: false,
      problems: block.errors.map((error) => ({ path, message: `the template has no usable block: ${error.message}` })),
    };
  return {
    ok: true,
    setup: {
      templateVersion: template.version.number,
      placeholders: Object.fromEntries(placeholderCells(block.block)),
    },
  };
}

async function readable(
  client: ConfluenceClient,
  pageId: string,
  storage: boolean,
): Promise<{ ok: true; page: ConfluencePage } | { ok: false; message: string }> {
  try {
    return { ok: true, page: await client.getPage(pageId, { storage }) };
  } catch (error) {
    if (isConfluenceError(error) && (error.status === 404 || error.status === 403))
      return {
        ok: false,
        message: `the app cannot read page ${pageId} (${error.status}: it does not exist, is in the trash, or the app's user may not see it)`,
      };
    throw error;
  }
}

/** What the set-up check depends on: the pages target, the mapped fields, the gates and those fields' columns. */
export function setupFingerprint(profile: PagesProfile, columns: readonly ColumnDefinition[]): string {
  const mapped = new Set(profile.fields.map((field) => field.sharePoint));
  return createHash("sha256")
    .update(
      JSON.stringify({
        target: profile.confluence.target,
        fields: profile.fields,
        gates: profile.gates,
        columns: columns.filter((column) => mapped.has(column.name)),
      }),
    )
    .digest("base64url");
}
