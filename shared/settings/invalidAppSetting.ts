import { AppError } from "../errors";

/** An app setting that is missing or unusable for the configuration chosen, named so the fix is obvious. */
export class InvalidAppSetting extends AppError {
  readonly code = "APP_SETTING_INVALID";

  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`app setting ${setting}: ${problem}`);
  }
}
