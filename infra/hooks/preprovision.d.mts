// Types for preprovision.mjs (see hookSupport.d.mts for why). Keep in step with the JSDoc there.
import type { Fetch, GetToken } from "./hookSupport.mjs";

export declare const KEY_VAULT_API_VERSION: string;

export interface DeletedVault {
  name: string;
  location: string;
  deletionDate?: string;
  scheduledPurgeDate?: string;
  purgeProtectionEnabled: boolean;
  resourceGroup?: string;
}
export type DeletedVaultLookup =
  | { kind: "found"; vault: DeletedVault }
  | { kind: "absent" }
  | { kind: "unknown"; reason: string };
export interface KeyVaultCheck {
  status: "absent" | "recovering" | "skipped";
  vaultName?: string;
  reason?: string;
}
export type DeletedVaultFinder = (target: {
  subscriptionId: string;
  location: string;
  name: string;
}) => Promise<DeletedVaultLookup>;

export declare function checkKeyVaultName(deps: {
  env: Record<string, string | undefined>;
  findDeletedVault: DeletedVaultFinder;
  log: (line: string) => void;
}): Promise<KeyVaultCheck>;
export declare function deletedVaultFinder(deps: { getToken: GetToken; fetch?: Fetch }): DeletedVaultFinder;
