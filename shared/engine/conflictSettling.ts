import { isPagesProfile, type Profile } from "../config/profile";
import type { CellContent, FieldCodec, FieldCodecs } from "../mapping";
import type { ConflictEntry, ConflictSettlementRecord } from "../state/conflictStore";
import { type CanonicalValue, fieldHash, flowsTo } from "../sync";
import { codecsFor } from "./codecInputs";
import { DELETED } from "./conflictLog";
import type { EngineServices } from "./engineServices";
import { SettlementRefused } from "./settlementRefused";

/** What a person asks: settle one conflict, or every open field conflict of the profile, by taking one value. */
export interface SettleRequest {
  readonly profileKey: string;
  readonly target: { readonly kind: "one"; readonly id: string } | { readonly kind: "all" };
  readonly take: "sharePoint" | "confluence" | "value";
  /** For `take: "value"`: the value as a person types it into a cell, read through the field's codec. */
  readonly value?: string;
  /** Who is settling (recorded as given). */
  readonly by: string;
  readonly via: ConflictSettlementRecord["via"];
}

/** What was recorded, and (for `all`) what was left alone and why. */
export interface SettleResult {
  readonly profileKey: string;
  readonly settled: readonly ConflictEntry[];
  readonly skipped: readonly { readonly id: string; readonly code: string; readonly message: string }[];
}

const MAX_BY_CHARS = 200;

/**
 * Records a person's settlement of open conflicts (docs/operations.md#settling-conflicts). Nothing is written to
 * SharePoint or Confluence here: the next run applies it through the normal three-way path, or finds it stale. A value
 * of the person's own is read through the field's codec exactly as a cell would be, and must be one both sides can hold
 * (a choice the column lists, a number that is one), so a settlement never asks a run for a write it would refuse.
 *
 * Throws SettlementRefused: one conflict that is unknown (`CONFLICT_NOT_FOUND`), already settled or closed
 * (`CONFLICT_ALREADY_SETTLED`, with who), or cannot be settled by a value; an invalid value or request. `all` skips the
 * conflicts it cannot settle and says why. ProfileNotFound for an unknown profile.
 */
export async function settleConflicts(services: EngineServices, request: SettleRequest): Promise<SettleResult> {
  const by = checkedBy(request.by);
  if (request.take !== "value" && request.value !== undefined)
    throw new SettlementRefused(
      "SETTLEMENT_REQUEST_INVALID",
      `a value is only given with take "value" (take was "${request.take}")`,
    );
  if (request.take === "value" && request.value === undefined)
    throw new SettlementRefused("SETTLEMENT_REQUEST_INVALID", 'take "value" needs the value to settle on');
  if (request.take === "value" && request.target.kind === "all")
    throw new SettlementRefused(
      "SETTLEMENT_REQUEST_INVALID",
      "settling every conflict at once takes one side (sharePoint or confluence), not a value",
    );
  const { profile } = await services.config.profiles.get(request.profileKey);
  const store = services.state.conflicts;
  const at = new Date(services.clock.now()).toISOString();

  if (request.target.kind === "one") {
    const existing = await store.get(profile.key, request.target.id);
    if (existing === undefined)
      throw new SettlementRefused(
        "CONFLICT_NOT_FOUND",
        `profile "${profile.key}" has no conflict "${request.target.id}"`,
        { conflictId: request.target.id },
      );
    const value =
      request.take === "value" ? await settledValue(services, profile, existing, request.value!) : undefined;
    const entry = await recordOne(services, profile, request.target.id, { ...request, by, at, value });
    return { profileKey: profile.key, settled: [entry], skipped: [] };
  }

  const settled: ConflictEntry[] = [];
  const skipped: { id: string; code: string; message: string }[] = [];
  for (const open of await store.listOpen(profile.key)) {
    try {
      settled.push(await recordOne(services, profile, open.id, { ...request, by, at, value: undefined }));
    } catch (error) {
      if (!(error instanceof SettlementRefused)) throw error;
      skipped.push({ id: open.id, code: error.code, message: error.message });
    }
  }
  return { profileKey: profile.key, settled, skipped };
}

type Recording = Omit<SettleRequest, "value"> & { readonly at: string; readonly value: CanonicalValue | undefined };

/** Records one settlement under the row's ETag; throws SettlementRefused when it cannot be recorded. */
async function recordOne(
  services: EngineServices,
  profile: Profile,
  id: string,
  recording: Recording,
): Promise<ConflictEntry> {
  const outcome = await services.state.conflicts.settle<ConflictEntry | SettlementRefused>(
    profile.key,
    id,
    (existing) => {
      if (existing === undefined)
        return {
          ok: false,
          answer: new SettlementRefused("CONFLICT_NOT_FOUND", `profile "${profile.key}" has no conflict "${id}"`, {
            conflictId: id,
          }),
        };
      const refusal = refusalOf(profile, existing, recording.take);
      if (refusal !== undefined) return { ok: false, answer: refusal };
      const settlement = settlementOf(existing, recording);
      return { ok: true, settlement, answer: { ...existing, settlement } };
    },
  );
  if (outcome instanceof SettlementRefused) throw outcome;
  return outcome;
}

/** Why an entry cannot take a settlement now, if it cannot. */
function refusalOf(profile: Profile, entry: ConflictEntry, take: SettleRequest["take"]): SettlementRefused | undefined {
  const where = `conflict "${entry.id}" of profile "${profile.key}"`;
  if (entry.status === "resolved") {
    const by =
      entry.settlement?.state === "applied"
        ? `${entry.settlement.by} (settled ${entry.settlement.at}, applied by run ${entry.settlement.appliedByRun ?? "?"})`
        : `the sync: both sides agreed by run ${entry.runId}`;
    return new SettlementRefused("CONFLICT_ALREADY_SETTLED", `${where} is already settled, by ${by}`, {
      conflictId: entry.id,
      settledBy: entry.settlement?.state === "applied" ? entry.settlement.by : "sync",
      settledAt: entry.settlement?.state === "applied" ? entry.settlement.at : (entry.resolvedAt ?? null),
    });
  }
  if (entry.settlement?.state === "pending")
    return new SettlementRefused(
      "CONFLICT_ALREADY_SETTLED",
      `${where} was already settled by ${entry.settlement.by} at ${entry.settlement.at} (take ${entry.settlement.take}); the next run applies it`,
      {
        conflictId: entry.id,
        settledBy: entry.settlement.by,
        settledAt: entry.settlement.at,
        take: entry.settlement.take,
      },
    );
  if (entry.kind === "deleteVsEdit") return deleteVsEditRefusal(profile, entry, take, where);
  if (entry.field === null)
    return new SettlementRefused("CONFLICT_NOT_SETTLEABLE", `${where} names no field`, { conflictId: entry.id });
  if (entry.item.sharePointId === null)
    return new SettlementRefused("CONFLICT_NOT_SETTLEABLE", `${where} is about a row with no item yet`, {
      conflictId: entry.id,
    });
  const field = profile.fields.find((candidate) => candidate.sharePoint === entry.field);
  if (field === undefined)
    return new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `${where}: field "${entry.field}" is no longer mapped by the profile`,
      { conflictId: entry.id, field: entry.field },
    );
  const direction = field.direction ?? profile.direction;
  if (!flowsTo(direction, "sharePoint") || !flowsTo(direction, "confluence"))
    return new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `${where}: field "${entry.field}" flows ${direction}, so the sync writes its owner's value itself; there is nothing to choose`,
      { conflictId: entry.id, field: entry.field },
    );
  if (hashesOf(entry) === undefined)
    return new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `${where}: the values a run saw are not recorded yet; settle it after the next run`,
      { conflictId: entry.id },
    );
  return undefined;
}

/**
 * Why a delete-vs-edit conflict cannot take this settlement: only a table-mode profile's, only by taking the deleted
 * side (the next run deletes the survivor), and only once a run recorded the survivor's digest.
 */
function deleteVsEditRefusal(
  profile: Profile,
  entry: ConflictEntry,
  take: SettleRequest["take"],
  where: string,
): SettlementRefused | undefined {
  const deletedIn =
    entry.hashes?.sharePoint === DELETED ? "sharePoint" : entry.hashes?.confluence === DELETED ? "confluence" : null;
  const survivor = deletedIn === "sharePoint" ? "the row" : "the SharePoint item";
  const byHand = "restore or delete the survivor by hand, or clear its row's key cell to make it a new item";
  if (isPagesProfile(profile))
    return new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `${where} is about an item deleted on one side and edited on the other; a pages-mode profile cannot settle it yet: ${byHand}`,
      { conflictId: entry.id },
    );
  if (deletedIn === null)
    return new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `${where}: the survivor a run saw is not recorded yet; settle it after the next run`,
      { conflictId: entry.id },
    );
  if (take !== deletedIn)
    return new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `${where} is about an item deleted in ${deletedIn === "sharePoint" ? "SharePoint" : "Confluence"} and edited on the other side: only the deletion can be taken (--take ${deletedIn}: the next run deletes ${survivor}); to keep ${survivor}, ${byHand}`,
      { conflictId: entry.id, deletedIn },
    );
  return undefined;
}

function settlementOf(entry: ConflictEntry, recording: Recording): ConflictSettlementRecord {
  const hashes = hashesOf(entry)!;
  const values = {
    ...(entry.values.sharePoint === undefined ? {} : { sharePoint: entry.values.sharePoint }),
    ...(entry.values.confluence === undefined ? {} : { confluence: entry.values.confluence }),
  };
  const chosen =
    recording.take === "value"
      ? recording.value
      : recording.take === "sharePoint"
        ? entry.values.sharePoint
        : entry.values.confluence;
  return {
    by: recording.by,
    via: recording.via,
    at: recording.at,
    take: recording.take,
    ...(chosen === undefined ? {} : { value: chosen }),
    values,
    hashes,
    state: "pending",
  };
}

/** Each side's hash as the last run saw it (older entries carry only values: hashed the way the planner hashes). */
function hashesOf(entry: ConflictEntry): ConflictSettlementRecord["hashes"] | undefined {
  const side = (name: "sharePoint" | "confluence"): string | undefined =>
    entry.hashes?.[name] ??
    (entry.values[name] === undefined ? undefined : fieldHash(entry.values[name] as CanonicalValue));
  const sharePoint = side("sharePoint");
  const confluence = side("confluence");
  return sharePoint === undefined || confluence === undefined ? undefined : { sharePoint, confluence };
}

/**
 * A person's value for the conflict's field, read through the field's codec as a cell holding that text would be
 * (`at risk` names the choice `At risk`; `12,5` is no number) and then checked against both sides' writers.
 */
async function settledValue(
  services: EngineServices,
  profile: Profile,
  entry: ConflictEntry,
  text: string,
): Promise<CanonicalValue> {
  const refusal = refusalOf(profile, entry, "value");
  if (refusal !== undefined) throw refusal;
  const codec = (await profileCodecs(services, profile)).get(entry.field!);
  if (codec === undefined)
    throw new SettlementRefused("CONFLICT_NOT_SETTLEABLE", `field "${entry.field}" has no codec`, {
      field: entry.field,
    });
  return readValue(codec, profile, text);
}

function readValue(codec: FieldCodec, profile: Profile, text: string): CanonicalValue {
  const invalid = (message: string) =>
    new SettlementRefused(
      "SETTLEMENT_VALUE_INVALID",
      `profile "${profile.key}", field "${codec.name}" (${codec.header}): ${message}`,
      { field: codec.name },
    );
  const reading = codec.readConfluence(typedCell(text));
  if (!reading.ok) throw invalid(reading.error.message);
  const forSharePoint = codec.writeSharePoint(reading.value);
  if (!forSharePoint.ok) throw invalid(forSharePoint.error.message);
  const forPage = codec.renderConfluence(reading.value);
  if (!forPage.ok) throw invalid(forPage.error.message);
  return reading.value;
}

/** A cell holding exactly what a person typed, nothing else in it. */
function typedCell(text: string): CellContent {
  return { text, textOutsideMentions: text, readings: [] };
}

/** The profile's field codecs, from the list's columns (the engine's cached directory) and the stored samples. */
async function profileCodecs(services: EngineServices, profile: Profile): Promise<FieldCodecs> {
  const client = await services.connections.sharePoint(profile);
  const [directory, cursor] = await Promise.all([
    services.directory.get(profile, client),
    services.state.cursors.get(profile.key),
  ]);
  const built = codecsFor(profile, {
    ...directory,
    samples: cursor?.cursor.fieldSamples ?? {},
    siteTimeZone: profile.sharePoint.timeZone ?? "UTC",
  });
  if (!built.ok)
    throw new SettlementRefused(
      "CONFLICT_NOT_SETTLEABLE",
      `profile "${profile.key}": its fields cannot be read now: ${built.errors.map((e) => e.message).join("; ")}`,
    );
  return built.codecs;
}

function checkedBy(by: string): string {
  const trimmed = by.trim();
  // Shown in diagnostics and the CLI: one line, bounded, no control characters.
  if (trimmed === "" || trimmed.length > MAX_BY_CHARS || /\p{Cc}/u.test(trimmed))
    throw new SettlementRefused(
      "SETTLEMENT_REQUEST_INVALID",
      `"by" names who settles: 1 to ${MAX_BY_CHARS} characters on one line`,
    );
  return trimmed;
}
