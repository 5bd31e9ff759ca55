import { AppError } from "../errors";

/**
 * A profile key or secret name that a secrets store cannot carry, e.g. one Key Vault's name rules (letters, digits
 * and `-`, at most 127 characters) cannot represent without losing the way back. Raised before any call is made.
 */
export class SecretNameUnmappable extends AppError {
  readonly code = "SECRET_NAME_UNMAPPABLE";

  constructor(
    readonly profileKey: string,
    readonly secretName: string,
    reason: string,
  ) {
    super(`secret "${secretName}" of profile "${profileKey}" cannot be stored in Key Vault: ${reason}`);
  }
}
