#!/usr/bin/env node
// @ts-check
/**
 * azd `preprovision` hook (azure.yaml): before any resource is created, look for a soft-deleted Key Vault holding the
 * name this environment's vault will get.
 *
 * Why: `azd down` deletes the vault, but Key Vault keeps it soft-deleted for 90 days under its name; provisioning the
 * same environment again then fails on the vault with 409 ConflictError ("A vault with the same name already exists in
 * deleted state"), after other resources were already created, and `azd provision --preview` does not show it. This
 * hook stops first, says which vault it is and what the choices are:
 *   - recover it (its secrets come back, stored Confluence refresh tokens included): `azd env set KEY_VAULT_RECOVER
 *     true`, and the template deploys the vault with createMode 'recover';
 *   - purge it (`az keyvault purge`), possible only if purge protection was off;
 *   - or use another environment name.
 *
 * The check is a courtesy: when it cannot be made (no subscription or location chosen yet, no permission to read
 * deleted vaults, no token) it says so and lets provisioning go on, where ARM reports the conflict itself.
 *
 * Run by azd through the project's Node: `npm exec --no -- node infra/hooks/preprovision.mjs`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  booleanSetting,
  getJson,
  HookError,
  HookErrorCodes,
  keyVaultNameFor,
  operatorTokens,
  runHook,
  setting,
} from "./hookSupport.mjs";

/** The Key Vault management API version the template deploys with (infra/app/keyVault.bicep). */
export const KEY_VAULT_API_VERSION = "2024-11-01";
const ARM = "https://management.azure.com";
const ARM_SCOPE = `${ARM}/.default`;

/**
 * @typedef {{ name: string, location: string, deletionDate?: string, scheduledPurgeDate?: string, purgeProtectionEnabled: boolean, resourceGroup?: string }} DeletedVault
 * @typedef {{ kind: "found", vault: DeletedVault } | { kind: "absent" } | { kind: "unknown", reason: string }} DeletedVaultLookup
 * @typedef {{ status: "absent" | "recovering" | "skipped", vaultName?: string, reason?: string }} KeyVaultCheck
 */

/**
 * Decides whether provisioning may go on. Throws a HookError with a message telling the operator what to run.
 * @param {{
 *   env: Record<string, string | undefined>,
 *   findDeletedVault: (target: { subscriptionId: string, location: string, name: string }) => Promise<DeletedVaultLookup>,
 *   log: (line: string) => void,
 * }} deps
 * @returns {Promise<KeyVaultCheck>}
 */
export async function checkKeyVaultName({ env, findDeletedVault, log }) {
  const recover = booleanSetting(env, "KEY_VAULT_RECOVER", false);
  const environmentName = setting(env, "AZURE_ENV_NAME");
  const subscriptionId = setting(env, "AZURE_SUBSCRIPTION_ID");
  const location = setting(env, "AZURE_LOCATION");
  if (!environmentName || !subscriptionId || !location) {
    // `azd up` sets these before this hook runs; `azd provision` on a brand-new environment may ask for them later.
    // A brand-new environment has no deleted vault of its own anyway.
    const reason = "AZURE_ENV_NAME, AZURE_SUBSCRIPTION_ID and AZURE_LOCATION are not all set yet";
    log(`soft-deleted Key Vault check skipped: ${reason}`);
    return { status: "skipped", reason };
  }
  const name = keyVaultNameFor({ subscriptionId, environmentName, location });
  const lookup = await findDeletedVault({ subscriptionId, location, name });

  if (lookup.kind === "unknown") {
    log(
      `soft-deleted Key Vault check skipped for ${name}: ${lookup.reason}. If provisioning then fails with ConflictError on the vault, see docs/deploy.md.`,
    );
    return { status: "skipped", vaultName: name, reason: lookup.reason };
  }
  if (lookup.kind === "absent") {
    if (recover) {
      throw new HookError(
        HookErrorCodes.KeyVaultNothingToRecover,
        `KEY_VAULT_RECOVER is true but there is no soft-deleted Key Vault ${name} in ${location} to recover ` +
          "(already recovered, or purged). Run: azd env set KEY_VAULT_RECOVER false",
      );
    }
    log(`no soft-deleted Key Vault named ${name}: the vault can be created`);
    return { status: "absent", vaultName: name };
  }

  const { vault } = lookup;
  const when = vault.deletionDate ? ` on ${vault.deletionDate}` : "";
  const until = vault.scheduledPurgeDate ? ` until ${vault.scheduledPurgeDate}` : " for its retention period";
  if (recover) {
    log(`recovering soft-deleted Key Vault ${name} (deleted${when}) with its secrets: KEY_VAULT_RECOVER is true`);
    return { status: "recovering", vaultName: name };
  }
  const purge = vault.purgeProtectionEnabled
    ? `  - purging is not possible: purge protection is on, so the name stays taken${until};`
    : `  - purge it for good (its secrets are lost): az keyvault purge --name ${name} --location ${vault.location}, then provision again;`;
  throw new HookError(
    HookErrorCodes.KeyVaultSoftDeleted,
    [
      `Key Vault ${name} was deleted${when} and is kept soft-deleted${until}; a new vault cannot take its name (ARM would answer 409 ConflictError). Choose one:`,
      "  - recover it, with its secrets (stored Confluence refresh tokens included): azd env set KEY_VAULT_RECOVER true, then run azd up (or azd provision) again;",
      purge,
      "  - or provision a new environment under another name: azd env new <other-name>.",
    ].join("\n"),
  );
}

/**
 * ARM: GET /subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}.
 * @param {{ getToken: import("./hookSupport.mjs").GetToken, fetch?: import("./hookSupport.mjs").Fetch }} deps
 * @returns {(target: { subscriptionId: string, location: string, name: string }) => Promise<DeletedVaultLookup>}
 */
export function deletedVaultFinder(deps) {
  return async ({ subscriptionId, location, name }) => {
    const url =
      `${ARM}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.KeyVault/locations/${encodeURIComponent(location)}` +
      `/deletedVaults/${encodeURIComponent(name)}?api-version=${KEY_VAULT_API_VERSION}`;
    let response;
    try {
      response = await getJson(deps, url, ARM_SCOPE);
    } catch (error) {
      return {
        kind: "unknown",
        reason: `could not ask Azure (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
      };
    }
    if (response.status === 404) return { kind: "absent" };
    if (response.status !== 200) {
      return {
        kind: "unknown",
        reason: `Azure answered ${response.status}${response.code ? ` ${response.code}` : ""}${response.message ? `: ${response.message}` : ""}`,
      };
    }
    /** @type {any} */
    const body = response.body;
    const properties = body?.properties ?? {};
    const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(String(properties.vaultId ?? ""))?.[1];
    return {
      kind: "found",
      vault: {
        name: String(body?.name ?? name),
        location: String(properties.location ?? location),
        ...(properties.deletionDate ? { deletionDate: String(properties.deletionDate) } : {}),
        ...(properties.scheduledPurgeDate ? { scheduledPurgeDate: String(properties.scheduledPurgeDate) } : {}),
        purgeProtectionEnabled: properties.purgeProtectionEnabled === true,
        ...(resourceGroup ? { resourceGroup } : {}),
      },
    };
  };
}

async function main() {
  const log = (/** @type {string} */ line) => console.log(`preprovision: ${line}`);
  const getToken = operatorTokens(setting(process.env, "AZURE_TENANT_ID"));
  await checkKeyVaultName({ env: process.env, findDeletedVault: deletedVaultFinder({ getToken }), log });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runHook("preprovision", main);
