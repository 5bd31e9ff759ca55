export { type AppSettings, readAppSettings } from "../settings/appSettings";
export { CONFIG_DATABASE_FILE, openConfigDatabase } from "../settings/configDatabase";
export {
  DEFAULT_ENDPOINT_HOSTS,
  ENDPOINT_ALLOWLIST_SETTINGS,
  EndpointAllowlist,
  type EndpointKind,
} from "../settings/endpointAllowlist";
export { InvalidAppSetting } from "../settings/invalidAppSetting";
export { type ConfigServices, type ConfigServicesDependencies, openConfigServices } from "./configServices";
export { createProfileStore, type ProfileStoreDependencies } from "./createProfileStore";
export { EndpointNotAllowed } from "./endpointNotAllowed";
export { type FieldFormat, fieldFormatSchema } from "./fieldFormat";
export {
  type ConflictPolicy,
  type DeletePolicy,
  type FieldMapping,
  isPagesProfile,
  type PagesProfile,
  type PagesTarget,
  PROFILE_KEY_PATTERN,
  type Profile,
  type ProfileInput,
  profileKeySchema,
  profileSchema,
  type SyncDirection,
  type TableProfile,
  tableProfile,
} from "./profile";
export { assertProfileEndpointsAllowed, PROFILE_ENDPOINT_KINDS, profileEndpointIssues } from "./profileEndpoints";
export { type ProfileFile, parseProfileFile } from "./profileFile";
export { ProfileInvalid } from "./profileInvalid";
export { describeIssues, formatIssuePath, type ProfileIssue, profileIssuesFromZod } from "./profileIssue";
export { ProfileKeyConflict } from "./profileKeyConflict";
export { ProfileNotFound } from "./profileNotFound";
export type { ProfileListEntry, ProfileStore, StoredProfile } from "./profileStore";
export { type ProfileValidationResult, ProfileValidator, requiredSecretNames } from "./profileValidator";
export { SqliteProfileStore } from "./sqliteProfileStore";
export { DEFAULT_PROFILES_TABLE, TableProfileStore } from "./tableProfileStore";
