import { type FieldCodecs, toSharePointPatch } from "../mapping";
import { type ItemWrite, type ItemWriteOutcome, PREFER_API_VERSION_2_1 } from "../sharepoint/batchWriter";
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
  // Graph takes a hyperlink as {Url, Description} only with this preference (docs/references.md#graph-field-values).
  const prefer = hyperlinkFields(codecs, patch.fields).some((field) => isObject(patch.fields[field]))
    ? { prefer: [PREFER_API_VERSION_2_1] }
    : {};
  if (op.kind === "create") return { op, write: { kind: "create", fields: patch.fields, ...prefer }, refused };
  if (Object.keys(patch.fields).length === 0) return { op, write: null, refused };
  return {
    op,
    write: { kind: "update", itemId: op.sharePointId, fields: patch.fields, eTag: op.ifMatch, ...prefer },
    refused,
  };
}

/**
 * After SharePoint refused a write (400) that carries hyperlink values: the same write without them, the hyperlink
 * fields refused with `HYPERLINK_WRITE_REFUSED` naming the column and the profile setting. The form Graph accepts for
 * hyperlinks is reported differently by different sources (docs/references.md#graph-field-values), so a refusal must
 * cost that one field, never the item's other values. `undefined` when the write is not such a case.
 */
export function withoutRefusedHyperlinks(
  prepared: PreparedWrite,
  outcome: ItemWriteOutcome | undefined,
  codecs: FieldCodecs,
  setting: "object" | "text",
): PreparedWrite | undefined {
  const { write } = prepared;
  if (write === null || write.kind === "delete" || outcome?.kind !== "failed" || outcome.error.status !== 400)
    return undefined;
  const links = hyperlinkFields(codecs, write.fields);
  if (links.length === 0) return undefined;
  const form =
    setting === "object" ? `{Url, Description} with Prefer: ${PREFER_API_VERSION_2_1}` : `"url, description" text`;
  const other = setting === "object" ? "text" : "object";
  const refused = links.map(
    (field): RefusedField => ({
      field,
      code: "HYPERLINK_WRITE_REFUSED",
      message: `SharePoint refused the hyperlink value for column "${field}" written as ${form} (profile setting sharePoint.hyperlinkWrite: "${setting}"; ${outcome.error.message}); the item's other values were written without it. If every hyperlink write is refused, set sharePoint.hyperlinkWrite to "${other}"`,
    }),
  );
  const fields = Object.fromEntries(Object.entries(write.fields).filter(([key]) => !linkKeys(codecs, links).has(key)));
  const { prefer: _prefer, ...rest } = write;
  const without: ItemWrite | null =
    write.kind === "update" && Object.keys(fields).length === 0 ? null : { ...rest, fields };
  return { op: prepared.op, write: without, refused: [...prepared.refused, ...refused] };
}

/** The mapped hyperlink fields a `fields` body sets. */
function hyperlinkFields(codecs: FieldCodecs, fields: Readonly<Record<string, unknown>>): string[] {
  return [...codecs.values()]
    .filter((codec) => codec.kind === "hyperlink" && codec.sharePointKeys.some((key) => Object.hasOwn(fields, key)))
    .map((codec) => codec.name);
}

function linkKeys(codecs: FieldCodecs, fields: readonly string[]): Set<string> {
  return new Set(fields.flatMap((field) => codecs.get(field)?.sharePointKeys ?? []));
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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
