import { AppError } from "../errors";

/**
 * A new profile key that differs from a stored one only in letter case. Key Vault secret names ignore case, so in
 * Azure the two profiles would read and overwrite each other's credentials; the stores refuse the second one.
 */
export class ProfileKeyConflict extends AppError {
  readonly code = "PROFILE_KEY_CONFLICT";

  constructor(
    readonly profileKey: string,
    readonly existingKey: string,
  ) {
    super(
      `profile key "${profileKey}" differs from the existing profile "${existingKey}" only in letter case; Key Vault secret names ignore case, so the two would share secrets. Use "${existingKey}" or another key.`,
    );
  }
}
