import { z } from "zod";

/** Key Vault object names: 1–127 letters, digits and `-`. */
export const VAULT_OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * Seed section `keyVault`:
 * `{ "tenantId", "acceptedTokens"?: [..], "secrets"?: { name: value }, "purgeProtection"?, "deletionPendingRequests"? }`.
 */
export const keyVaultSeedSchema = z
  .object({
    /** Named in the 401 challenge (`authorization="https://login.microsoftonline.com/{tenantId}"`). */
    tenantId: z.string().min(1),
    /** Bearer tokens the vault accepts; any non-empty token when absent. */
    acceptedTokens: z.array(z.string().min(1)).min(1).optional(),
    /** Secrets present at start, one version each. */
    secrets: z
      .record(
        z.string().regex(VAULT_OBJECT_NAME, "Key Vault secret names are 1-127 letters, digits and '-'"),
        z.string(),
      )
      .default({}),
    /** Purge protection: deleted secrets cannot be purged (403) and stay recoverable; recoveryLevel `Recoverable`. */
    purgeProtection: z.boolean().default(false),
    /**
     * Real deletes finish asynchronously: for this many requests touching a just-deleted name, the vault still
     * answers "being deleted" (GET deletedsecrets → 404, purge / set / recover → 409 ObjectIsBeingDeleted).
     */
    deletionPendingRequests: z.number().int().min(0).default(0),
  })
  .strict();

export type KeyVaultSeed = z.input<typeof keyVaultSeedSchema>;
