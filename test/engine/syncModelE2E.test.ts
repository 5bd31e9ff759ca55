import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { settleConflicts } from "../../shared/engine/conflictSettling";
import { SettlementRefused } from "../../shared/engine/settlementRefused";
import { buildFieldCodecs } from "../../shared/mapping";
import { syncRulesFromProfile } from "../../shared/sync";
import { HARNESS_RETRY, openHarnessProfile, type SyncHarness, startSyncHarness } from "../helpers/syncHarness";
import { type ModelProfile, modelProfile } from "../sync/model/modelArbitraries";
import { SyncInvariants } from "../sync/model/syncInvariants";
import { EmulatedWorld } from "./model/emulatedWorld";
import { EngineProbe } from "./model/engineProbe";
import { MODEL_COLUMNS, MODEL_FIELDS, MODEL_HEADERS } from "./model/modelFields";
import { ModelRunner } from "./model/modelRunner";
import { type ModelStep, modelStart, modelStep, SETTLE_TEXTS, settlingStep } from "./model/modelSteps";
import { StatePartition } from "./model/statePartition";

/**
 * The model-based test of the whole engine (docs/design.md §3.1, invariants 1–4, 7 and 8; how they are tested:
 * docs/design.md#36-how-the-invariants-are-tested): random people editing both sides through the emulators' admin
 * surfaces, sync runs through the real `syncProfile` orchestrator in the local Durable host (real activities and
 * clients, the Graph + identity and Confluence emulators, Azurite), and injected faults — 429/503 (with and without
 * Retry-After) on `$batch` sub-requests, the delta read and the page GET/PUT, an expired delta link, people editing
 * between the engine's read and its writes (409 on the page, 412 on items), and crashes between I/O steps that
 * Durable's activity retries replay (or that fail the run). After each run the pure model's invariant checks judge what
 * the emulators show and what the engine staged; `ModelRunner` adds what only the wire and the tables show.
 *
 * Cost, measured on 2 cores: about 0.8 s a model run (some ten syncs, dry runs included), so the default 40 runs take
 * some 30 s and keep `npm test` within budget; the pure model (test/sync/syncModel.test.ts) keeps its 1,000 runs.
 * Raise with SYNC_E2E_MODEL_RUNS=300 (about 4 minutes). A failure prints its seed and path: replay it with
 * SYNC_E2E_MODEL_SEED=<seed> SYNC_E2E_MODEL_PATH=<path>. SYNC_E2E_MODEL_STATS=1 prints what the runs exercised
 * (outcomes, conflicts, answered faults, crashes by point); SYNC_E2E_MODEL_DEBUG=1 prints every run's report.
 *
 * One set of emulators and state tables serves every run; each run gets its own list, page, Confluence consent and
 * profile key (so its own state partition) — a few in-process calls.
 */
const numRuns = Number(process.env.SYNC_E2E_MODEL_RUNS ?? 40);
/** The settling property's runs (each a few syncs more): a third of the main one's, at least 12. */
const settlingRuns = Math.max(12, Math.round(numRuns / 3));
const seed = process.env.SYNC_E2E_MODEL_SEED === undefined ? undefined : Number(process.env.SYNC_E2E_MODEL_SEED);
const path = process.env.SYNC_E2E_MODEL_PATH;

function settleText(field: string | null, pick: number): string {
  const texts = SETTLE_TEXTS[field ?? ""] ?? [""];
  return texts[pick % texts.length] ?? "";
}

/** Clients retry in milliseconds; a Retry-After of a second is more than a call waits (the activity comes back). */
const MODEL_RETRY = { ...HARNESS_RETRY, maxRetryAfterMs: 0 };

describe("sync model end to end: people, the real engine and faults on the emulators", () => {
  const probe = new EngineProbe();
  let host: SyncHarness;
  let state: StatePartition;
  let profiles = 0;
  const cost = { runs: 0, syncs: 0, ms: 0 };
  const tally = new Map<string, number>();

  beforeAll(async () => {
    host = await startSyncHarness({
      wrapState: (stores) => probe.wrapState(stores),
      engine: { graphRetry: MODEL_RETRY, confluenceRetry: MODEL_RETRY },
    });
    state = await StatePartition.open(host.tables.location, host.tables.prefix);
  });
  afterAll(async () => {
    await host?.close();
    if (cost.runs === 0 || process.env.SYNC_E2E_MODEL_STATS === undefined) return;
    console.info(
      `sync model e2e: ${cost.runs} runs, ${cost.syncs} syncs in ${(cost.ms / 1000).toFixed(1)} s (${(cost.runs / (cost.ms / 1000)).toFixed(2)} runs/s)`,
    );
    for (const [point, count] of probe.crashes) tally.set(`crash at ${point}`, count);
    console.info(
      [...tally]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([what, count]) => `  ${what}: ${count}`)
        .join("\n"),
    );
  });

  /** One model run: a fresh profile, the steps, then a clean run that must converge and a run that must be quiet. */
  async function play(profile: ModelProfile, steps: readonly ModelStep[]): Promise<void> {
    const started = performance.now();
    profiles += 1;
    const h = await openHarnessProfile(host, {
      key: `model${profiles}`,
      columns: MODEL_COLUMNS,
      headers: MODEL_HEADERS,
      profile,
    });
    const runner = await (async () => {
      const codecs = buildFieldCodecs(h.profile.fields, MODEL_COLUMNS, { siteTimeZone: "UTC" });
      if (!codecs.ok) throw new Error(codecs.errors.map((error) => error.message).join("; "));
      const rules = syncRulesFromProfile(h.profile);
      const world = new EmulatedWorld(h, codecs.codecs);
      const invariants = new SyncInvariants(rules);
      return { world, invariants, run: new ModelRunner({ h, world, probe, rules, invariants, state, tally }) };
    })();
    try {
      for (const step of steps) {
        if (step.kind === "edit") {
          const event = await runner.world.apply(step.edit);
          if (event !== null) runner.invariants.person(event);
        } else if (step.kind === "pairEdit") {
          for (const event of await runner.world.applyPairEdit(step.edit)) runner.invariants.person(event);
        } else if (step.kind === "settle") {
          const open = (await h.state.conflicts.listOpen(h.profile.key)).filter((c) => c.settlement === undefined);
          const conflict = open[step.pick % Math.max(open.length, 1)];
          if (conflict === undefined) continue;
          try {
            await settleConflicts(h.services, {
              profileKey: h.profile.key,
              target: { kind: "one", id: conflict.id },
              take: step.choice.kind,
              ...(step.choice.kind === "value" ? { value: settleText(conflict.field, step.choice.pick) } : {}),
              by: "model",
              via: "cli",
            });
            tally.set(`settled (${step.choice.kind})`, (tally.get(`settled (${step.choice.kind})`) ?? 0) + 1);
          } catch (error) {
            // Delete-vs-edit, one-way fields, values the column refuses: nothing is recorded, as the API answers.
            if (!(error instanceof SettlementRefused)) throw error;
            tally.set(`settlement refused ${error.code}`, (tally.get(`settlement refused ${error.code}`) ?? 0) + 1);
          }
        } else {
          await runner.run.syncStep(step.faults);
        }
      }
      // Convergence and quiet: once edits and faults stop, one run propagates everything and the next writes nothing.
      await runner.run.syncStep(null);
    } finally {
      await h.closeProfile();
      cost.runs += 1;
      cost.syncs += runner.run.runs;
      cost.ms += performance.now() - started;
    }
  }

  it(`keeps invariants 1-4, 7 and 8 over random edits, settlements, runs and faults (${numRuns} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        modelProfile(MODEL_FIELDS),
        modelStart,
        fc.array(modelStep, { maxLength: 14 }),
        (profile, start, steps) => play(profile, [...start, ...steps]),
      ),
      { numRuns, ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) },
    );
  }, 900_000);

  it(`keeps them while people settle the conflicts they make (${settlingRuns} runs)`, async () => {
    // Two-way fields and the flag policy: the conflicts a person is left to settle.
    const flagging = modelProfile(MODEL_FIELDS).map(
      (profile): ModelProfile => ({
        ...profile,
        direction: "both",
        conflictPolicy: "flag",
        fields: profile.fields.map(({ direction: _, ...field }) => field),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        flagging,
        // Items to conflict over from the start.
        modelStart.filter((steps) => steps.filter((step) => step.kind === "edit").length >= 2),
        fc.array(settlingStep, { minLength: 2, maxLength: 4 }),
        (profile, start, groups) => play(profile, [...start, ...groups.flat()]),
      ),
      { numRuns: settlingRuns, ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) },
    );
  }, 900_000);
});
