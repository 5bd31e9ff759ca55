import { AppError } from "../errors";
import type { RetryableFailure } from "../resilience";

/** What the store was doing when it failed; part of the message, so diagnostics can say which call broke. */
export type SecretsOperation = "get" | "set" | "list" | "delete" | "purge" | "recover";

export interface SecretsStoreFailure {
  status?: number;
  /** The service's own error code, e.g. Key Vault's inner `ObjectIsBeingDeleted`. */
  serviceCode?: string;
  message: string;
  transient?: boolean;
}

/**
 * A secrets store call that failed (Key Vault answered with an error, or the credential could not get a token).
 *
 * Carries only the status, the service's error code and its message — never the request, whose body may hold the
 * secret value, so it has no `cause`. `transient` marks Key Vault's short-lived "being deleted / being recovered"
 * conflicts, which pass by themselves; the Azure SDK's own pipeline has already retried throttling and 5xx.
 */
export class SecretsStoreError extends AppError implements RetryableFailure {
  readonly code = "SECRETS_STORE_FAILED";
  readonly status: number | undefined;
  readonly serviceCode: string | undefined;
  readonly transient: boolean;

  constructor(
    readonly operation: SecretsOperation,
    readonly profileKey: string,
    readonly secretName: string | undefined,
    failure: SecretsStoreFailure,
  ) {
    const what =
      secretName === undefined
        ? `secrets of profile "${profileKey}"`
        : `secret "${secretName}" of profile "${profileKey}"`;
    const status =
      failure.status === undefined ? "" : ` (${[failure.status, failure.serviceCode].filter(Boolean).join(" ")})`;
    super(`${operation} ${what} failed${status}: ${failure.message}`);
    this.status = failure.status;
    this.serviceCode = failure.serviceCode;
    this.transient = failure.transient ?? false;
  }
}
