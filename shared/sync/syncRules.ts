import type { ConflictPolicy } from "./conflictPolicy";
import type { DeletePolicy } from "./deletePolicy";
import type { FieldKey } from "./fieldKey";
import { DEFAULT_STORED_VALUE_MAX_CHARS } from "./fieldValue";
import { PlannerInputInvalid } from "./plannerInputInvalid";
import { flowsTo } from "./side";
import type { SyncDirection } from "./syncDirection";

/** One mapped field as the planner sees it. */
export interface FieldRule {
  /** The SharePoint internal column name; readings, state and plans are keyed by it. */
  readonly key: FieldKey;
  /** The Confluence header the field maps to (for messages; the table mapper resolves it). */
  readonly confluenceHeader: string;
  /** Effective direction: the field's own, else the profile's. */
  readonly direction: SyncDirection;
}

/**
 * The parts of a profile the planner's rules come from. shared/config's validated `Profile` has this shape; the core
 * states it here so that it depends on no adapter.
 */
export interface ProfileSyncSettings {
  readonly key: string;
  readonly direction: SyncDirection;
  readonly fields: readonly {
    readonly sharePoint: string;
    readonly confluence: string;
    readonly direction?: SyncDirection;
  }[];
  readonly matchBy?: { readonly sharePoint: string; readonly confluence: string };
  readonly conflictPolicy: ConflictPolicy;
  readonly deletes: { readonly toConfluence: DeletePolicy; readonly toSharePoint: DeletePolicy };
  readonly massDeleteLimitPercent: number;
}

/** The profile reduced to what the planner decides with. Derived by {@link syncRulesFromProfile}. */
export interface SyncRules {
  readonly profileKey: string;
  readonly fields: readonly FieldRule[];
  /** Which side may receive new items: the profile's direction (rows are created in SharePoint only if it allows). */
  readonly itemDirection: SyncDirection;
  readonly conflictPolicy: ConflictPolicy;
  /**
   * Effective delete policy per direction of propagation: `toConfluence` = what a SharePoint deletion does to the
   * row. A direction the profile does not sync is always `keep`.
   */
  readonly deletes: { readonly toConfluence: DeletePolicy; readonly toSharePoint: DeletePolicy };
  /** A plan that would hard-delete more than this percentage of one side's items stops instead. */
  readonly massDeleteLimitPercent: number;
  /** The field whose value is the natural key for pairing rows and items that have no id link yet. */
  readonly matchBy: FieldKey | null;
  /** Longest canonical JSON (characters) of a value kept in the state; longer ones are kept by hash only. */
  readonly storedValueMaxChars: number;
}

/** Whether new SharePoint items get a row: the profile sends items, and at least one field, toward Confluence. */
export function appendsRows(rules: SyncRules): boolean {
  return (
    flowsTo(rules.itemDirection, "confluence") && rules.fields.some((rule) => flowsTo(rule.direction, "confluence"))
  );
}

/** Whitespace-normalised, case-insensitive header comparison, as the table mapper matches headers. */
function sameHeader(a: string, b: string): boolean {
  const normalise = (header: string) => header.trim().replace(/\s+/g, " ").toLowerCase();
  return normalise(a) === normalise(b);
}

/**
 * Derives the planner's rules from a validated profile. Throws {@link PlannerInputInvalid} when `matchBy` does not
 * name a mapped field pair (the natural key is compared through the same codecs as every mapped field).
 */
export function syncRulesFromProfile(
  profile: ProfileSyncSettings,
  options: { readonly storedValueMaxChars?: number } = {},
): SyncRules {
  const fields = profile.fields.map(
    (field): FieldRule => ({
      key: field.sharePoint,
      confluenceHeader: field.confluence,
      direction: field.direction ?? profile.direction,
    }),
  );
  let matchBy: FieldKey | null = null;
  if (profile.matchBy !== undefined) {
    const { sharePoint, confluence } = profile.matchBy;
    const field = fields.find((candidate) => candidate.key === sharePoint);
    if (field === undefined || !sameHeader(field.confluenceHeader, confluence)) {
      throw new PlannerInputInvalid(
        `profile "${profile.key}": matchBy pairs SharePoint field "${sharePoint}" with Confluence column "${confluence}", ` +
          `but no mapped field does; map that pair in "fields" or change matchBy`,
      );
    }
    matchBy = field.key;
  }
  return {
    profileKey: profile.key,
    fields,
    itemDirection: profile.direction,
    conflictPolicy: profile.conflictPolicy,
    deletes: {
      toConfluence: flowsTo(profile.direction, "confluence") ? profile.deletes.toConfluence : "keep",
      toSharePoint: flowsTo(profile.direction, "sharePoint") ? profile.deletes.toSharePoint : "keep",
    },
    massDeleteLimitPercent: profile.massDeleteLimitPercent,
    matchBy,
    storedValueMaxChars: options.storedValueMaxChars ?? DEFAULT_STORED_VALUE_MAX_CHARS,
  };
}
