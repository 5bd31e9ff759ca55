// Types for postprovision.mjs (see hookSupport.d.mts for why). Keep in step with the JSDoc there.
import type { Fetch, GetToken, JsonResponse } from "./hookSupport.mjs";

export declare const DEFAULT_TIMEOUT_SECONDS: number;
export declare const BLIND_WAIT_SECONDS: number;

export type ProbeResult = { kind: "ready" } | { kind: "pending"; detail: string } | { kind: "failed"; detail: string };
export interface Probe {
  name: string;
  run: () => Promise<ProbeResult>;
}
export interface WaitOutcome {
  status: "ready" | "skipped" | "waited";
  seconds: number;
}

export declare function waitForRoleAssignments(deps: {
  env: Record<string, string | undefined>;
  probes: readonly Probe[];
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  log: (line: string) => void;
}): Promise<WaitOutcome>;
export declare function resetRecoverFlag(deps: {
  env: Record<string, string | undefined>;
  setEnvValue: (name: string, value: string) => Promise<void>;
  log: (line: string) => void;
}): Promise<boolean>;
export declare function operatorProbes(deps: {
  env: Record<string, string | undefined>;
  getToken: GetToken;
  fetch?: Fetch;
}): Probe[];
export declare function classify(response: JsonResponse, what: string): ProbeResult;
export declare function azdEnvSetter(
  env: Record<string, string | undefined>,
): (name: string, value: string) => Promise<void>;
