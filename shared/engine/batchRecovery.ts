import type { FieldCodecs } from "../mapping";
import type { SharePointItem } from "../sharepoint/listItem";
import type { SharePointClient } from "../sharepoint/sharePointClient";
import { type CanonicalValue, fieldHash } from "../sync";
import type { PreparedWrite } from "./batchWrites";
import type { RunContext, StagedOpOutcome } from "./run/stagedDocuments";
import type { StagedRun } from "./run/stagedRun";
import { readSharePointChanges } from "./sharePointChanges";

/**
 * `recoverSentWrites` for one batch of a cycle: the items the cycle's other batches already recorded as created are
 * not this batch's to find.
 */
export async function findSentWrites(
  client: SharePointClient,
  staged: StagedRun,
  context: Pick<RunContext, "readLink" | "select" | "maxItemIdAtRead">,
  codecs: FieldCodecs,
  batchId: string,
  writes: readonly PreparedWrite[],
): Promise<Map<number, StagedOpOutcome>> {
  const others = await staged.allProgress();
  const claimed = new Set(
    [...others.entries()].flatMap(([id, progress]) =>
      id === batchId || progress.kind !== "done"
        ? []
        : progress.outcomes.flatMap((o) => (o.kind === "create" && o.result.ok ? [o.result.sharePointId] : [])),
    ),
  );
  return recoverSentWrites(client, context, codecs, writes, claimed);
}

/**
 * Finds which writes of a batch already happened, for a batch whose earlier attempt sent its `$batch` but never
 * recorded the answer (the activity crashed, or Graph's answer was lost). Durable runs activities at least once; this
 * is what keeps a retried create from creating a second item.
 *
 * It reads the list's changes since the cycle's own read (the delta link the read ended at), which holds every item
 * created or changed since:
 * - a create happened if an item created after the read (its id above every id the cycle knew: SharePoint ids only
 *   grow) holds exactly the values the create sent, and no other batch of the cycle claims it (lowest id first);
 * - an update happened if the item now holds exactly the values it sent;
 * - a delete happened if the item is reported deleted.
 * What is not found is sent again: an update with its old `If-Match` then fails harmlessly if the item changed.
 *
 * Residual window: an item a person created, in those same seconds, with exactly the values of a create of this
 * batch could be taken for it (the created one is then paired by value on the next run; nothing is lost).
 */
async function recoverSentWrites(
  client: SharePointClient,
  context: Pick<RunContext, "readLink" | "select" | "maxItemIdAtRead">,
  codecs: FieldCodecs,
  writes: readonly PreparedWrite[],
  claimedIds: ReadonlySet<string>,
): Promise<Map<number, StagedOpOutcome>> {
  const changes = await readSharePointChanges(client, context.readLink, context.select);
  const items = new Map(changes.changed.map((item) => [item.id, item]));
  const deleted = new Set(changes.deletedIds);
  const created = changes.changed
    .filter((item) => /^\d+$/.test(item.id) && Number(item.id) > context.maxItemIdAtRead && !claimedIds.has(item.id))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const claimed = new Set<string>();
  const found = new Map<number, StagedOpOutcome>();
  writes.forEach(({ op, refused, write }, index) => {
    // Nothing was sent for an update whose every value was refused: there is nothing to find (an empty set of values
    // would match any item).
    if (write === null) return;
    const sent = (fields: Readonly<Record<string, CanonicalValue>>): Record<string, CanonicalValue> => {
      const left = new Set(refused.map((refusal) => refusal.field));
      return Object.fromEntries(Object.entries(fields).filter(([field]) => !left.has(field)));
    };
    if (op.kind === "create") {
      // A create SharePoint refused for its hyperlink was sent again without it (withoutRefusedHyperlinks): the item
      // may hold every value but the link, so links do not take part in finding it.
      const values = Object.fromEntries(
        Object.entries(sent(op.fields)).filter(([field]) => codecs.get(field)?.kind !== "hyperlink"),
      );
      const item = created.find((candidate) => !claimed.has(candidate.id) && holds(candidate, values, codecs));
      if (item === undefined) return;
      claimed.add(item.id);
      found.set(index, {
        kind: "create",
        createRef: op.createRef,
        result: {
          ok: true,
          sharePointId: item.id,
          eTag: item.eTag ?? null,
          modifiedAt: item.lastModifiedDateTime ?? null,
        },
        refused,
      });
    } else if (op.kind === "update") {
      const item = items.get(op.sharePointId);
      if (item === undefined || !holds(item, sent(op.fields), codecs)) return;
      found.set(index, {
        kind: "update",
        sharePointId: op.sharePointId,
        result: { ok: true, eTag: item.eTag ?? null, modifiedAt: item.lastModifiedDateTime ?? null },
        refused,
      });
    } else if (deleted.has(op.sharePointId)) {
      found.set(index, {
        kind: "delete",
        sharePointId: op.sharePointId,
        result: { ok: true, eTag: null, modifiedAt: null },
        refused,
      });
    }
  });
  return found;
}

/** Whether the item's fields read (through the codecs) exactly as `values`. */
function holds(item: SharePointItem, values: Readonly<Record<string, CanonicalValue>>, codecs: FieldCodecs): boolean {
  return Object.entries(values).every(([field, value]) => {
    const reading = codecs.get(field)?.readSharePoint(item.fields);
    return reading?.ok === true && reading.hash === fieldHash(value);
  });
}
