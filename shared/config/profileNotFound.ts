import { AppError } from "../errors";

/** No profile is stored under this key. */
export class ProfileNotFound extends AppError {
  readonly code = "PROFILE_NOT_FOUND";

  constructor(readonly profileKey: string) {
    super(`profile "${profileKey}" not found`);
  }
}
