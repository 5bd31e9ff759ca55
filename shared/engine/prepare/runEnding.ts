import type { ReadyPlan, StoppedPlan } from "../../sync";
import type { EngineServices } from "../engineServices";
import { planItems, runCounts } from "../run/reportItems";
import type { PrepareRunInput, PrepareRunResult } from "../run/runContract";
import type { ApiCalls, RunItemReport, RunOutcome, RunProblem, RunReport } from "../run/runReport";
import type { RunCarry } from "../run/stagedDocuments";
import { StagedRun } from "../run/stagedRun";
import { assembleReport, type CycleSummary, closeRun, EMPTY_CYCLE, type ReportHeader } from "../runClosing";
import type { ProfileValidation } from "./profileValidation";

/**
 * The ways `prepareRun` can end a run before anything is written, each with its report. A real run's report is
 * recorded (and its staging cleared); a dry run writes nothing, its run record and staging included.
 */
export class RunEnding {
  readonly staged: StagedRun;
  readonly #services: EngineServices;
  readonly #input: PrepareRunInput;
  readonly #carry: RunCarry;

  private constructor(services: EngineServices, input: PrepareRunInput, staged: StagedRun, carry: RunCarry) {
    this.#services = services;
    this.#input = input;
    this.staged = staged;
    this.#carry = carry;
  }

  /** For one cycle of a run: later cycles carry what the earlier ones did into the report. */
  static async open(services: EngineServices, input: PrepareRunInput): Promise<RunEnding> {
    const staged = new StagedRun(services.state.staging, input, () => isoNow(services));
    const carry = input.cycle > 1 ? await staged.carry() : { cycles: [] };
    return new RunEnding(services, input, staged, carry);
  }

  /** The profile cannot run. No record for a profile that does not exist: there is nothing to attach it to. */
  async invalid(validation: Extract<ProfileValidation, { ok: false }>): Promise<PrepareRunResult> {
    const problem = { code: "PROFILE_INVALID", message: validation.message };
    const report = await this.#end("invalid", problem, EMPTY_CYCLE, validation.known && !this.#input.dryRun);
    return { kind: "invalid", missingSecrets: validation.missingSecrets, errors: validation.errors, report };
  }

  async failed(problem: RunProblem, apiCalls: ApiCalls): Promise<PrepareRunResult> {
    return { kind: "failed", problem, report: await this.#end("failed", problem, { ...EMPTY_CYCLE, apiCalls }) };
  }

  /** Nothing new since a run that planned nothing: completed after the two reads. */
  async unchanged(apiCalls: ApiCalls): Promise<PrepareRunResult> {
    return { kind: "unchanged", report: await this.#end("completed", undefined, { ...EMPTY_CYCLE, apiCalls }) };
  }

  /** The plan refused to write (mass-delete limit, duplicate keys): reported as planned, nothing written. */
  async stopped(plan: StoppedPlan, apiCalls: ApiCalls): Promise<PrepareRunResult> {
    const problem = { code: plan.reason.code, message: plan.reason.message };
    const cycle = { ...EMPTY_CYCLE, items: planItems(plan, null, this.#input.cycle), apiCalls };
    return { kind: "stopped", problem, report: await this.#end("stopped", problem, cycle) };
  }

  async dryRun(plan: ReadyPlan, readProblems: readonly RunItemReport[], apiCalls: ApiCalls): Promise<PrepareRunResult> {
    const cycle = {
      counts: runCounts(plan, null, readProblems.length),
      items: [...readProblems, ...planItems(plan, null, this.#input.cycle)],
      apiCalls,
    };
    return { kind: "dryRun", report: await this.#end("dryRun", undefined, cycle, false) };
  }

  async #end(
    outcome: RunOutcome,
    problem: RunProblem | undefined,
    cycle: CycleSummary,
    record = !this.#input.dryRun,
  ): Promise<RunReport> {
    const header: ReportHeader = { ...this.#input };
    const report = assembleReport(header, outcome, problem, cycle, this.#carry, isoNow(this.#services));
    if (record) await closeRun(this.#services, this.staged, report);
    return report;
  }
}

function isoNow(services: EngineServices): string {
  return new Date(services.clock.now()).toISOString();
}
