import type { Profile } from "../../config/profile";
import { ProfileNotFound } from "../../config/profileNotFound";
import { PlannerInputInvalid, type SyncRules, syncRulesFromProfile } from "../../sync";
import type { EngineServices } from "../engineServices";

export type ProfileValidation =
  | { readonly ok: true; readonly profile: Profile; readonly rules: SyncRules }
  | {
      readonly ok: false;
      /** False when no profile has this key: there is no run record to attach the failure to. */
      readonly known: boolean;
      readonly message: string;
      readonly missingSecrets: string[];
      readonly errors: Array<{ path: string; message: string }>;
    };

/** The profile as it must be to run: schema, secret names, rules the planner accepts. Reads no secret value. */
export async function validateProfile(services: EngineServices, profileKey: string): Promise<ProfileValidation> {
  let result;
  try {
    result = await services.config.validator.validateStored(profileKey);
  } catch (error) {
    if (!(error instanceof ProfileNotFound)) throw error;
    return {
      ok: false,
      known: false,
      message: error.message,
      missingSecrets: [],
      errors: [{ path: "(root)", message: error.message }],
    };
  }
  if (!result.valid) {
    const parts = [
      ...(result.missingSecrets.length > 0 ? [`missing secrets: ${result.missingSecrets.join(", ")}`] : []),
      ...result.errors.map((issue) => `${issue.path}: ${issue.message}`),
    ];
    return {
      ok: false,
      known: true,
      message: `profile "${profileKey}" cannot run: ${parts.join("; ")}`,
      missingSecrets: result.missingSecrets,
      errors: result.errors,
    };
  }
  const { profile } = await services.config.profiles.get(profileKey);
  try {
    return { ok: true, profile, rules: syncRulesFromProfile(profile) };
  } catch (error) {
    if (!(error instanceof PlannerInputInvalid)) throw error;
    return {
      ok: false,
      known: true,
      message: error.message,
      missingSecrets: [],
      errors: [{ path: "matchBy", message: error.message }],
    };
  }
}
