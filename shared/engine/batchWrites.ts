import { type FieldCodecs, toSharePointPatch } from "../mapping";
import type { ItemWrite, ItemWriteOutcome } from "../sharepoint/batchWriter";
import { type GraphError, GraphErrorCodes } from "../sharepoint/graphError";
import type { SharePointCreateOutcome, SharePointOpOutcome } from "../sync";
import type { RefusedField, StagedOp, StagedOpOutcome } from "./run/stagedDocuments";

/** A staged operation as Graph will get it: its write (null when every field was refused) and the refused fields. */
export interface PreparedWrite {
  readonly op: StagedOp;
  readonly write: ItemWrite | null;
  readonly refused: readonly RefusedField[];
}

/**
 * Turns a staged operation's canonical values into Graph's `fields` shapes. A value SharePoint cannot hold is left
 * out and reported (never written degraded); an update left with nothing to write is not sent.
 */
export function prepareWrite(op: StagedOp, codecs: FieldCodecs): PreparedWrite {
  if (op.kind === "delete")
    return { op, write: { kind: "delete", itemId: op.sharePointId, eTag: op.ifMatch }, refused: [] };
  const where = op.kind === "create" ? `the item for row ${op.rowRef + 1}` : `SharePoint item ${op.sharePointId}`;
  const patch = toSharePointPatch(codecs, op.fields, where);
  const refused = patch.errors.map(
    (error): RefusedField => ({ field: error.field, code: error.code, message: error.message }),
  );
  if (op.kind === "create") return { op, write: { kind: "create", fields: patch.fields }, refused };
  if (Object.keys(patch.fields).length === 0) return { op, write: null, refused };
  return { op, write: { kind: "update", itemId: op.sharePointId, fields: patch.fields, eTag: op.ifMatch }, refused };
}

/**
 * Whether Graph may have acted on a write it did not confirm: no answer at all, or a server error other than 503
 * (which SharePoint sends before doing anything). Such a write must be looked for before it is sent again.
 */
export function mayHaveActed(outcome: ItemWriteOutcome): boolean {
  if (outcome.kind !== "failed") return false;
  return uncertain(outcome.error);
}

function uncertain(error: GraphError): boolean {
  if (error.status === undefined)
    return error.code === GraphErrorCodes.Network || error.code === GraphErrorCodes.InvalidResponse;
  return error.status >= 500 && error.status !== 503;
}

/** The staged outcome of a write Graph answered. */
export function opOutcome(prepared: PreparedWrite, outcome: ItemWriteOutcome | undefined): StagedOpOutcome {
  const { op, refused } = prepared;
  if (op.kind === "create") {
    let result: SharePointCreateOutcome = { ok: false };
    if (outcome?.kind === "applied")
      result = {
        ok: true,
        sharePointId: outcome.itemId,
        eTag: outcome.eTag ?? null,
        modifiedAt: modifiedOf(outcome.fields),
      };
    return { kind: "create", createRef: op.createRef, result, refused, ...problemOf(outcome) };
  }
  let result: SharePointOpOutcome;
  if (outcome === undefined) {
    // Nothing to send: every value was refused. Not applied, so no base moves, and the stored eTag stays good.
    result = { ok: false, preconditionFailed: false };
  } else if (outcome.kind === "applied") {
    result = { ok: true, eTag: outcome.eTag ?? null, modifiedAt: modifiedOf(outcome.fields) };
  } else if (outcome.kind === "notFound") {
    // A delete of an item that is gone is done; an update of one means it was deleted: read it again next time.
    result =
      op.kind === "delete" ? { ok: true, eTag: null, modifiedAt: null } : { ok: false, preconditionFailed: true };
  } else {
    result = { ok: false, preconditionFailed: outcome.kind === "preconditionFailed" };
  }
  return { kind: op.kind, sharePointId: op.sharePointId, result, refused, ...problemOf(outcome) };
}

function problemOf(outcome: ItemWriteOutcome | undefined): { problem?: { code: string; message: string } } {
  if (outcome?.kind === "failed") return { problem: { code: outcome.error.code, message: outcome.error.message } };
  if (outcome?.kind === "preconditionFailed") {
    return {
      problem: {
        code: GraphErrorCodes.PreconditionFailed,
        message: `SharePoint item ${outcome.itemId} changed since it was read; the next run reads it again`,
      },
    };
  }
  return {};
}

/** `Modified` as Graph returned it with the written item: its new `lastModifiedDateTime`. */
function modifiedOf(fields: Readonly<Record<string, unknown>> | undefined): string | null {
  const modified = fields?.Modified;
  return typeof modified === "string" ? modified : null;
}
