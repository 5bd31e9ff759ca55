import type { PagesProfile } from "../config/profile";
import type { ConfluenceClient } from "../confluence";
import { checkPagesColumns } from "../engine/pages/pagesColumns";
import { checkSetup } from "../engine/pages/pagesSetup";
import type { ColumnDefinition, FieldCodecs } from "../mapping";

/** What the `page` line of `confluence-sync check` says of a pages-mode profile (docs/pages-mode.md §4). */
export interface PagesTargetCheck {
  readonly ok: boolean;
  readonly detail: string;
  readonly action?: string;
}

/**
 * The set-up checks a pages-mode run makes before its first write, read-only: the link and gate columns exist with
 * the right types, the parent page is readable (its space is where pages go), and the template holds the block with
 * every mapped key and the gate key.
 */
export async function checkPagesTarget(
  profile: PagesProfile,
  columns: readonly ColumnDefinition[],
  codecs: FieldCodecs,
  confluence: ConfluenceClient,
): Promise<PagesTargetCheck> {
  const target = profile.confluence.target;
  const columnProblems = checkPagesColumns(profile, columns);
  if (columnProblems.length > 0)
    return {
      ok: false,
      detail: columnProblems.map((problem) => `${problem.path}: ${problem.message}`).join("; "),
      action: "add or fix the list's link and gate columns, or the profile's confluence.target and gates",
    };
  const setup = await checkSetup(profile, columns, codecs, confluence, undefined);
  if (!setup.ok)
    return {
      ok: false,
      detail: setup.problems.map((problem) => `${problem.path}: ${problem.message}`).join("; "),
      action:
        "fix the parent or template page (confluence-sync inspect-page shows the template's block), or the profile's confluence.target",
    };
  return {
    ok: true,
    detail: `pages mode: parent page ${target.parentPageId} readable (space ${setup.setup.spaceId}); template ${target.templatePageId} v${setup.setup.templateVersion} holds the block with the ${codecs.size} mapped keys`,
  };
}
