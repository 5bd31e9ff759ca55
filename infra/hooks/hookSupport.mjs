// @ts-check
/**
 * What the azd hooks (preprovision.mjs, postprovision.mjs) share: typed errors, the resource names main.bicep
 * computes, reading the azd environment, and authenticated JSON requests to Azure. Node built-ins only, plus
 * @azure/identity (a dependency of the app) loaded lazily, so tests can inject everything that touches Azure.
 *
 * Nothing here logs a token or a header: requests return status, error code and message only.
 */

/** Stable codes, for people and scripts to match on (messages may change). */
export const HookErrorCodes = Object.freeze({
  /** A soft-deleted Key Vault holds the name this environment's vault needs. */
  KeyVaultSoftDeleted: "KEY_VAULT_SOFT_DELETED",
  /** KEY_VAULT_RECOVER=true, but there is no soft-deleted vault of that name to recover. */
  KeyVaultNothingToRecover: "KEY_VAULT_NOTHING_TO_RECOVER",
  /** The role assignments made by provisioning did not take effect within the wait. */
  RolePropagationTimeout: "ROLE_PROPAGATION_TIMEOUT",
  /** A probe got an answer that waiting cannot fix (wrong tenant, endpoint missing, ...). */
  RoleProbeFailed: "ROLE_PROBE_FAILED",
  /** An azd environment value the hook reads is malformed. */
  SettingInvalid: "HOOK_SETTING_INVALID",
  /** No token for the signed-in operator (not signed in, wrong tenant): waiting does not help. */
  SignInFailed: "AZURE_SIGN_IN_FAILED",
});

export class HookError extends Error {
  /**
   * @param {string} code one of HookErrorCodes
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "HookError";
    this.code = code;
  }
}

// --- names -----------------------------------------------------------------------------------------------------

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * ARM's uniqueString(): the arguments joined with '-', hashed with the 64-bit MurmurHash variant ARM uses, and the top
 * 65 bits written as 13 base-32 characters. Reproduced here so a hook can know a resource name before the deployment
 * that creates it; test/infra checks it against values Bicep produced.
 * @param {...string} values
 * @returns {string}
 */
export function uniqueString(...values) {
  const bytes = new TextEncoder().encode(values.join("-"));
  const length = bytes.length;
  const C1 = 0xab0e9789;
  const C2 = 0x239b961b;
  const rotl = (/** @type {number} */ x, /** @type {number} */ r) => ((x << r) | (x >>> (32 - r))) >>> 0;
  const mul = (/** @type {number} */ a, /** @type {number} */ b) => Math.imul(a, b) >>> 0;
  const word = (/** @type {number} */ at, /** @type {number} */ count) => {
    let value = 0;
    for (let k = 0; k < count; k++) value |= (bytes[at + k] ?? 0) << (8 * k);
    return value >>> 0;
  };
  let h1 = 0;
  let h2 = 0;
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const k1 = mul(rotl(mul(word(i, 4), C2), 15), C1);
    const k2 = mul(rotl(mul(word(i + 4, 4), C1), 17), C2);
    h1 = (mul((rotl(h1 ^ k1, 19) + h2) >>> 0, 5) + 0x561ccd1b) >>> 0;
    h2 = (mul((rotl(h2 ^ k2, 13) + h1) >>> 0, 5) + 0x0bcaa747) >>> 0;
  }
  const rest = length - i;
  if (rest > 0) {
    h1 = (h1 ^ mul(rotl(mul(word(i, Math.min(rest, 4)), C2), 15), C1)) >>> 0;
    if (rest > 4) h2 = (h2 ^ mul(rotl(mul(word(i + 4, rest - 4), C1), 17), C2)) >>> 0;
  }
  h2 = (h2 ^ length) >>> 0;
  h1 = (((h1 ^ length) >>> 0) + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  const mix = (/** @type {number} */ x) => {
    let v = x;
    v = mul(v ^ (v >>> 16), 0x85ebca6b);
    v = mul(v ^ (v >>> 13), 0xc2b2ae35);
    return (v ^ (v >>> 16)) >>> 0;
  };
  h1 = mix(h1);
  h2 = mix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  let hash = (BigInt(h2) << 32n) | BigInt(h1);
  let out = "";
  for (let k = 0; k < 13; k++) {
    out += BASE32[Number((hash >> 59n) & 31n)];
    hash = (hash << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

/**
 * The Key Vault name main.bicep gives an environment: 'kv-' + toLower(uniqueString(subscription().id, environmentName,
 * location)). test/infra fails if main.bicep stops computing it this way.
 * @param {{ subscriptionId: string, environmentName: string, location: string }} target
 */
export function keyVaultNameFor({ subscriptionId, environmentName, location }) {
  return `kv-${uniqueString(`/subscriptions/${subscriptionId}`, environmentName, location).toLowerCase()}`;
}

// --- settings ----------------------------------------------------------------------------------------------------

/**
 * An azd environment value (azd passes the environment's .env to hooks as environment variables); blank = unset.
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 */
export function setting(env, name) {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A boolean azd value: true/false (any case), unset = fallback.
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {boolean} fallback
 */
export function booleanSetting(env, name, fallback) {
  const value = setting(env, name);
  if (value === undefined) return fallback;
  if (/^true$/i.test(value)) return true;
  if (/^false$/i.test(value)) return false;
  throw new HookError(HookErrorCodes.SettingInvalid, `${name} must be true or false, not "${value}"`);
}

/**
 * A whole number of seconds, unset = fallback.
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 * @param {number} fallback
 */
export function secondsSetting(env, name, fallback) {
  const value = setting(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new HookError(HookErrorCodes.SettingInvalid, `${name} must be a whole number of seconds, not "${value}"`);
  return Number(value);
}

// --- Azure requests ----------------------------------------------------------------------------------------------

/**
 * @typedef {(scope: string) => Promise<string>} GetToken  Bearer token for one scope (e.g. https://vault.azure.net/.default)
 * @typedef {{ status: number, code?: string, message?: string, body?: unknown }} JsonResponse
 * @typedef {(url: string, init: { headers: Record<string, string> }) => Promise<{ status: number, headers: { get(name: string): string | null }, text(): Promise<string> }>} Fetch
 */

/**
 * GET a JSON resource with a bearer token. Returns the status and, for errors, Azure's error code and message (ARM
 * `{error:{code,message}}`, Key Vault likewise, Table storage `{"odata.error":{code,message:{value}}}`), never the
 * request's headers.
 * @param {{ getToken: GetToken, fetch?: Fetch }} deps
 * @param {string} url
 * @param {string} scope
 * @param {Record<string, string>} [headers]
 * @returns {Promise<JsonResponse>}
 */
export async function getJson({ getToken, fetch = /** @type {Fetch} */ (globalThis.fetch) }, url, scope, headers = {}) {
  let token;
  try {
    token = await getToken(scope);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    throw new HookError(
      HookErrorCodes.SignInFailed,
      `cannot get a token for ${scope} (${reason}); sign in with azd auth login`,
    );
  }
  const response = await fetch(url, {
    headers: { ...headers, Authorization: `Bearer ${token}`, Accept: headers.Accept ?? "application/json" },
  });
  const text = await response.text();
  /** @type {any} */
  let body;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = body?.error ?? body?.["odata.error"];
  const code = typeof error?.code === "string" ? error.code : (response.headers.get("x-ms-error-code") ?? undefined);
  const rawMessage = typeof error?.message === "string" ? error.message : error?.message?.value;
  return {
    status: response.status,
    ...(code ? { code } : {}),
    ...(typeof rawMessage === "string" ? { message: rawMessage.split("\n")[0] } : {}),
    body,
  };
}

/**
 * Tokens for the signed-in operator, the way azd itself is signed in (`azd auth token`), falling back to the Azure
 * CLI. Imported on first use so that tests, which inject their own, never load it.
 * @param {string | undefined} tenantId
 * @returns {GetToken}
 */
export function operatorTokens(tenantId) {
  /** @type {Promise<import("@azure/identity").TokenCredential> | undefined} */
  let credential;
  return async (scope) => {
    credential ??= import("@azure/identity").then(
      ({ AzureDeveloperCliCredential, AzureCliCredential, ChainedTokenCredential }) =>
        new ChainedTokenCredential(
          new AzureDeveloperCliCredential(tenantId ? { tenantId } : {}),
          new AzureCliCredential(tenantId ? { tenantId } : {}),
        ),
    );
    const token = await (await credential).getToken(scope);
    if (!token) throw new Error(`no token for ${scope}`);
    return token.token;
  };
}

/**
 * Runs a hook's main function as a process: prints a HookError as `error CODE: message` and exits 1; anything else
 * unexpected exits 2.
 * @param {string} hook
 * @param {() => Promise<void>} main
 */
export function runHook(hook, main) {
  main().then(
    () => {
      process.exitCode = 0;
    },
    (error) => {
      if (error instanceof HookError) {
        process.stderr.write(`${hook}: error ${error.code}: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`${hook}: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      }
    },
  );
}
