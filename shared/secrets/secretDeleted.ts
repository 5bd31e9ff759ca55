import { AppError } from "../errors";

/**
 * A write to a secret that is soft-deleted in Key Vault (409 `ObjectIsDeletedButRecoverable`). The app never recovers
 * it by itself: deleting a profile's secret is how an admin stops the profile, and a recovery would bring the old
 * value back (for a refresh token, a grant the admin meant to cut off). A person decides: recover the secret
 * (`az keyvault secret recover`) to use the old value again, or purge it and store a new one. Never retried.
 */
export class SecretDeleted extends AppError {
  readonly code = "SECRET_DELETED";
  /** Read by the retry policy: never retry. */
  readonly transient = false;

  constructor(
    readonly profileKey: string,
    readonly secretName: string,
    readonly vaultSecretName: string,
  ) {
    super(
      `secret "${secretName}" of profile "${profileKey}" is deleted in Key Vault (soft-deleted, recoverable as "${vaultSecretName}"); the app does not bring deleted secrets back. To use the profile again, recover it (az keyvault secret recover --name ${vaultSecretName}) or purge it and store a new value`,
    );
  }
}
