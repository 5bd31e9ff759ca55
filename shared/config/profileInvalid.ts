import { AppError } from "../errors";
import { describeIssues, type ProfileIssue } from "./profileIssue";

/**
 * A profile document that does not pass the schema: a file being imported, or a stored profile written by an
 * older version. Lists every problem with its path. Profiles hold no secrets, so the document may travel with it.
 */
export class ProfileInvalid extends AppError {
  readonly code = "PROFILE_INVALID";

  constructor(
    readonly profileKey: string | undefined,
    readonly issues: readonly ProfileIssue[],
    readonly document?: unknown,
  ) {
    super(`${profileKey === undefined ? "profile" : `profile "${profileKey}"`} is invalid:\n${describeIssues(issues)}`);
  }

  override toJSON(): ReturnType<AppError["toJSON"]> & { profileKey?: string; issues: readonly ProfileIssue[] } {
    return {
      ...super.toJSON(),
      ...(this.profileKey !== undefined ? { profileKey: this.profileKey } : {}),
      issues: this.issues,
    };
  }
}
