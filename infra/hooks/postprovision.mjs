#!/usr/bin/env node
// @ts-check
/**
 * azd `postprovision` hook (azure.yaml), between creating the resources and deploying the app:
 *
 * 1. Waits, bounded, for the role assignments provisioning just made to take effect. Azure RBAC assignments take from
 *    seconds to minutes to apply (up to 30 according to Microsoft's RBAC troubleshooting guide), and the first deploy
 *    of a Flex Consumption app with key-less storage fails with 403 when they have not (azure-dev issue 8026): the
 *    platform stores the package with the app's identity, whose Storage Blob Data Owner role is not effective yet.
 *    Nothing outside Azure can sign in as the app's identity, so the hook probes the operator's own data roles made in
 *    the same deployment (Key Vault Secrets Officer: list secrets; Storage Table Data Contributor: list tables) until
 *    both answer twice in a row. That is a proxy: a deploy can still meet a 403 now and then; `azd deploy` again is
 *    the fix (docs/deploy.md). Without operator roles (GRANT_OPERATOR_ACCESS=false) there is nothing to probe, and the
 *    hook waits a fixed minute instead. ROLE_PROPAGATION_TIMEOUT_SECONDS bounds the wait (default 300; 0 = no wait).
 *
 * 2. Sets KEY_VAULT_RECOVER back to false after a provision that recovered the Key Vault: createMode 'recover' fails
 *    on a vault that is not deleted, so leaving it on would break the next `azd provision`.
 *
 * Run by azd through the project's Node: `npm exec --no -- node infra/hooks/postprovision.mjs`.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  booleanSetting,
  getJson,
  HookError,
  HookErrorCodes,
  operatorTokens,
  runHook,
  secondsSetting,
  setting,
} from "./hookSupport.mjs";

export const DEFAULT_TIMEOUT_SECONDS = 300;
/** Without a probe: roughly the delay after which azure-dev issue 8026 reports a second deploy succeeding. */
export const BLIND_WAIT_SECONDS = 60;
const FIRST_INTERVAL_SECONDS = 5;
const MAX_INTERVAL_SECONDS = 30;
/** Answers in a row every probe must give: propagation reaches Azure's front ends one by one. */
const CONSECUTIVE_SUCCESSES = 2;

/**
 * @typedef {{ kind: "ready" } | { kind: "pending", detail: string } | { kind: "failed", detail: string }} ProbeResult
 * @typedef {{ name: string, run: () => Promise<ProbeResult> }} Probe
 * @typedef {{ status: "ready" | "skipped" | "waited", seconds: number }} WaitOutcome
 */

/**
 * @param {{
 *   env: Record<string, string | undefined>,
 *   probes: readonly Probe[],
 *   sleep: (ms: number) => Promise<void>,
 *   now: () => number,
 *   log: (line: string) => void,
 * }} deps
 * @returns {Promise<WaitOutcome>}
 */
export async function waitForRoleAssignments({ env, probes, sleep, now, log }) {
  const timeoutSeconds = secondsSetting(env, "ROLE_PROPAGATION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS);
  if (timeoutSeconds === 0) {
    log(
      "not waiting for role assignments (ROLE_PROPAGATION_TIMEOUT_SECONDS=0); if the deploy fails with 403, run azd deploy again in a minute",
    );
    return { status: "skipped", seconds: 0 };
  }
  const start = now();
  const elapsedSeconds = () => Math.round((now() - start) / 1000);
  if (probes.length === 0) {
    const seconds = Math.min(BLIND_WAIT_SECONDS, timeoutSeconds);
    log(
      `the operator has no data roles to probe with (GRANT_OPERATOR_ACCESS=false?): waiting ${seconds} s for the app's role assignments to take effect`,
    );
    await sleep(seconds * 1000);
    return { status: "waited", seconds };
  }

  let interval = FIRST_INTERVAL_SECONDS;
  let inARow = 0;
  for (;;) {
    const results = await Promise.all(
      probes.map(async (probe) => {
        try {
          return { probe, result: await probe.run() };
        } catch (error) {
          if (error instanceof HookError)
            return {
              probe,
              result: /** @type {ProbeResult} */ ({ kind: "failed", detail: `${error.code}: ${error.message}` }),
            };
          // Network trouble right after creation (DNS for a new account, say) is worth waiting out.
          return {
            probe,
            result: /** @type {ProbeResult} */ ({
              kind: "pending",
              detail: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error),
            }),
          };
        }
      }),
    );
    const failed = results.filter(({ result }) => result.kind === "failed");
    if (failed.length > 0) {
      throw new HookError(
        HookErrorCodes.RoleProbeFailed,
        `cannot check whether the role assignments took effect: ${failed.map(({ probe, result }) => `${probe.name}: ${"detail" in result ? result.detail : ""}`).join("; ")}`,
      );
    }
    const pending = results.filter(({ result }) => result.kind !== "ready");
    inARow = pending.length === 0 ? inARow + 1 : 0;
    if (inARow >= CONSECUTIVE_SUCCESSES) {
      log(`role assignments are in effect (${elapsedSeconds()} s)`);
      return { status: "ready", seconds: elapsedSeconds() };
    }
    const waiting = pending
      .map(({ probe, result }) => `${probe.name}: ${"detail" in result ? result.detail : ""}`)
      .join("; ");
    const next = pending.length === 0 ? FIRST_INTERVAL_SECONDS : interval;
    if ((now() - start) / 1000 + next > timeoutSeconds) {
      throw new HookError(
        HookErrorCodes.RolePropagationTimeout,
        `the role assignments made by provisioning are not in effect after ${elapsedSeconds()} s (${waiting || "not yet stable"}). ` +
          "Azure can take up to 30 minutes, longer for managed identities. Nothing is wrong with the resources: wait a few minutes, then run azd deploy " +
          "(or raise ROLE_PROPAGATION_TIMEOUT_SECONDS and run azd up again).",
      );
    }
    log(
      pending.length === 0
        ? "role assignments answered; checking once more"
        : `waiting for role assignments to take effect (${waiting}) - ${elapsedSeconds()} s of ${timeoutSeconds} s`,
    );
    await sleep(next * 1000);
    if (pending.length > 0) interval = Math.min(interval * 2, MAX_INTERVAL_SECONDS);
  }
}

/**
 * @param {{
 *   env: Record<string, string | undefined>,
 *   setEnvValue: (name: string, value: string) => Promise<void>,
 *   log: (line: string) => void,
 * }} deps
 * @returns {Promise<boolean>} whether the flag was reset
 */
export async function resetRecoverFlag({ env, setEnvValue, log }) {
  if (!booleanSetting(env, "KEY_VAULT_RECOVER", false)) return false;
  try {
    await setEnvValue("KEY_VAULT_RECOVER", "false");
    log("Key Vault recovered; KEY_VAULT_RECOVER is false again, so the next provision updates the vault normally");
    return true;
  } catch (error) {
    // Provisioning succeeded; only the next one needs the flag off, and the preprovision hook will say so.
    log(
      `Key Vault recovered, but KEY_VAULT_RECOVER could not be reset (${error instanceof Error ? error.message : String(error)}): run azd env set KEY_VAULT_RECOVER false`,
    );
    return false;
  }
}

/**
 * The operator's probes, from the provisioning outputs azd passes in the environment.
 * @param {{ env: Record<string, string | undefined>, getToken: import("./hookSupport.mjs").GetToken, fetch?: import("./hookSupport.mjs").Fetch }} deps
 * @returns {Probe[]}
 */
export function operatorProbes({ env, getToken, fetch }) {
  if (!booleanSetting(env, "OPERATOR_ACCESS_GRANTED", false)) return [];
  const vaultUrl = setting(env, "KEY_VAULT_URL");
  const tableEndpoint = setting(env, "STORAGE_TABLE_ENDPOINT");
  if (!vaultUrl || !tableEndpoint) {
    throw new HookError(
      HookErrorCodes.SettingInvalid,
      "KEY_VAULT_URL and STORAGE_TABLE_ENDPOINT (provisioning outputs) are missing from the azd environment",
    );
  }
  const deps = { getToken, ...(fetch ? { fetch } : {}) };
  const base = (/** @type {string} */ url) => (url.endsWith("/") ? url : `${url}/`);
  return [
    {
      name: "Key Vault secrets",
      run: async () =>
        classify(
          await getJson(
            deps,
            `${base(vaultUrl)}secrets?api-version=7.4&maxresults=1`,
            "https://vault.azure.net/.default",
          ),
          "the vault",
        ),
    },
    {
      name: "Table storage",
      run: async () =>
        classify(
          await getJson(deps, `${base(tableEndpoint)}Tables?$top=1`, "https://storage.azure.com/.default", {
            "x-ms-version": "2020-12-06",
            Accept: "application/json;odata=nometadata",
          }),
          "the storage account",
        ),
    },
  ];
}

/**
 * 200: in effect. 403: not yet (or never, which the timeout reports). 408/429/5xx: try again. Any other answer
 * (401 wrong tenant, 404 wrong endpoint) will not change by waiting.
 * @param {import("./hookSupport.mjs").JsonResponse} response
 * @param {string} what
 * @returns {ProbeResult}
 */
export function classify(response, what) {
  const detail = `${response.status}${response.code ? ` ${response.code}` : ""}`;
  if (response.status >= 200 && response.status < 300) return { kind: "ready" };
  if (response.status === 403 || response.status === 408 || response.status === 429 || response.status >= 500)
    return { kind: "pending", detail };
  return { kind: "failed", detail: `${what} answered ${detail}${response.message ? `: ${response.message}` : ""}` };
}

/**
 * `azd env set NAME VALUE --environment ENV`: the running azd passes its environment's name, which need not be the
 * default one.
 * @param {Record<string, string | undefined>} env
 * @returns {(name: string, value: string) => Promise<void>}
 */
export function azdEnvSetter(env) {
  return async (name, value) => {
    const environment = setting(env, "AZURE_ENV_NAME");
    const args = ["env", "set", name, value, ...(environment ? ["--environment", environment] : [])];
    // No shell: the values never pass through one (on Windows, CreateProcess finds azd.exe by itself).
    const result = spawnSync("azd", args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (result.error) throw result.error;
    if (result.status !== 0)
      throw new Error(`azd env set exited ${result.status}: ${(result.stderr ?? "").trim().split("\n")[0]}`);
  };
}

async function main() {
  const env = process.env;
  const log = (/** @type {string} */ line) => console.log(`postprovision: ${line}`);
  await resetRecoverFlag({ env, setEnvValue: azdEnvSetter(env), log });
  const getToken = operatorTokens(setting(env, "AZURE_TENANT_ID"));
  await waitForRoleAssignments({
    env,
    probes: operatorProbes({ env, getToken }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    log,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runHook("postprovision", main);
