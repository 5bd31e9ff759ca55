import type { FieldCodecs } from "../../mapping";
import { mapBounded } from "../../runtime";
import type { SharePointClient } from "../../sharepoint/sharePointClient";
import type { ConfluenceRowReading, ItemState, SharePointItemReading, SharePointSide } from "../../sync";
import type { RunItemReport } from "../run/runReport";
import { itemReading } from "../sharePointChanges";

/** At most this many vanished items are read by id in one run; the others stay unseen until a later enumeration. */
export const MAX_VANISHED_READS = 500;

/** The column SharePoint adds to a list with content approval ("Approval Status"). */
export const MODERATION_STATUS_COLUMN = "_ModerationStatus";

export interface VanishedItems {
  /** The full side, with the items found by id added and the ones that may exist unseen in `unseen`. */
  readonly side: Extract<SharePointSide, { kind: "full" }>;
  /** One report entry per item left unseen (or one for all those not read this run). */
  readonly problems: readonly RunItemReport[];
}

/**
 * A full enumeration shows only what the app can see: an item missing from it is deleted only once a read by id
 * says so (404). On a list with content approval even that read cannot tell, because SharePoint hides items pending
 * approval from an app without `Sites.Manage.All` there too (docs/references.md#graph-content-approval): such an item
 * is kept as it was and reported, never taken for a deletion. Found by id, it is synced like any other item.
 *
 * The items checked are those the planner would otherwise treat as gone: known to the state (and not already
 * deleted in SharePoint) or named by a row's key cell.
 */
export async function confirmVanishedItems(
  client: SharePointClient,
  select: readonly string[],
  codecs: FieldCodecs,
  input: {
    readonly side: Extract<SharePointSide, { kind: "full" }>;
    readonly state: readonly ItemState[];
    readonly rows: readonly ConfluenceRowReading[];
    readonly contentApproval: boolean;
    readonly cycle: number;
  },
): Promise<VanishedItems> {
  const seen = new Set(input.side.items.map((item) => item.id));
  const vanished = new Set<string>();
  for (const item of input.state)
    if (item.status !== "deletedInSharePoint" && !seen.has(item.sharePointId)) vanished.add(item.sharePointId);
  for (const row of input.rows) if (row.rowKey !== null && !seen.has(row.rowKey)) vanished.add(row.rowKey);
  if (vanished.size === 0) return { side: input.side, problems: [] };

  const ordered = [...vanished].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const toRead = ordered.slice(0, MAX_VANISHED_READS);
  const notRead = ordered.slice(MAX_VANISHED_READS);
  const read = await mapBounded(toRead, 4, (id) => client.readItem(id, { select }));
  const found: SharePointItemReading[] = [];
  const unseen: string[] = [...notRead];
  const problems: RunItemReport[] = [];
  toRead.forEach((id, index) => {
    const item = read[index];
    if (item !== undefined) found.push(itemReading(item, codecs));
    else if (input.contentApproval) {
      unseen.push(id);
      problems.push(notVisible(id, input.cycle));
    }
  });
  if (notRead.length > 0) problems.push(notConfirmed(notRead, input.cycle));
  return {
    side: { kind: "full", items: [...input.side.items, ...found], unseen },
    problems,
  };
}

function notVisible(sharePointId: string, cycle: number): RunItemReport {
  return {
    sharePointId,
    row: null,
    action: "skip",
    note: "not visible",
    changes: [],
    conflicts: [],
    errors: [
      {
        field: null,
        side: "sharePoint",
        code: "ITEM_NOT_VISIBLE",
        message: `SharePoint item ${sharePointId} is missing from the list as the app sees it, and the list has content approval: SharePoint hides items pending approval from an app without Sites.Manage.All. Its row and state are kept as they were; grant the app Sites.Manage.All to sync such items, or delete the row if the item is gone`,
      },
    ],
    result: "unchanged",
    cycle,
  };
}

function notConfirmed(ids: readonly string[], cycle: number): RunItemReport {
  return {
    sharePointId: null,
    row: null,
    action: "skip",
    note: "deletion not confirmed",
    changes: [],
    conflicts: [],
    errors: [
      {
        field: null,
        side: "sharePoint",
        code: "ITEM_DELETION_UNCONFIRMED",
        message: `${ids.length} more items (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}) are missing from the enumeration; at most ${MAX_VANISHED_READS} are confirmed by id in one run, so these are kept as they were until the next full enumeration`,
      },
    ],
    result: "unchanged",
    cycle,
  };
}
