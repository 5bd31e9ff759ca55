export {
  profileSchema,
  profileKeySchema,
  PROFILE_KEY_PATTERN,
  type Profile,
  type ProfileInput,
  type FieldMapping,
  type SyncDirection,
  type ConflictPolicy,
  type DeletePolicy,
} from "./profile";
export { fieldFormatSchema, type FieldFormat } from "./fieldFormat";
export { readAppSettings, type AppSettings } from "../settings/appSettings";
export { InvalidAppSetting } from "../settings/invalidAppSetting";
export { openConfigServices, type ConfigServices, type ConfigServicesDependencies } from "./configServices";
export { openConfigDatabase, CONFIG_DATABASE_FILE } from "../settings/configDatabase";
export { type ProfileStore, type StoredProfile, type ProfileListEntry } from "./profileStore";
export { createProfileStore, type ProfileStoreDependencies } from "./createProfileStore";
export { SqliteProfileStore } from "./sqliteProfileStore";
export { TableProfileStore, DEFAULT_PROFILES_TABLE } from "./tableProfileStore";
export { ProfileValidator, requiredSecretNames, type ProfileValidationResult } from "./profileValidator";
export { type ProfileIssue, formatIssuePath, profileIssuesFromZod, describeIssues } from "./profileIssue";
export { ProfileNotFound } from "./profileNotFound";
export { ProfileInvalid } from "./profileInvalid";
export { ProfileKeyConflict } from "./profileKeyConflict";
export { parseProfileFile, type ProfileFile } from "./profileFile";
