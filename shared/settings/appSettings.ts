import path from "node:path";
import { z } from "zod";
import { EndpointAllowlist, hostListProblem } from "./endpointAllowlist";

/** A comma- or space-separated list of host names (an endpoint allowlist). */
const hostList = z.string().superRefine((value, ctx) => {
  const problem = hostListProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * Every app setting the code reads, in one place. infra/ must set each one that has no safe default in Azure (a
 * test parses both to keep them honest), and docs/configuration.md#app-settings lists them.
 */
const appSettingsSchema = z.object({
  /** `keyvault` in Azure; `sqlite` (the local ConfigStore) only for development. Default decided by `runsInAzure`. */
  SECRETS_PROVIDER: z.enum(["keyvault", "sqlite"]).optional(),
  /** Vault URL, e.g. `https://kv-confluencesync.vault.azure.net`. Required when SECRETS_PROVIDER=keyvault. */
  KEY_VAULT_URL: z.string().optional(),
  /** `table` (Azure Table Storage, shared by all instances) or `sqlite` (local). Default decided by `runsInAzure`. */
  PROFILE_STORE: z.enum(["table", "sqlite"]).optional(),
  /** Folder for local state: the SQLite ConfigStore and, when no storage account is configured, Azurite's files. */
  CONFLUENCE_SYNC_HOME: z.string().default("./.local"),
  /** Storage for state tables: a connection string, or unset with the identity-based `__tableServiceUri` below. */
  AzureWebJobsStorage: z.string().optional(),
  AzureWebJobsStorage__tableServiceUri: z.string().optional(),
  /** Client id of the user-assigned managed identity the app runs as (Azure). */
  AzureWebJobsStorage__clientId: z.string().optional(),
  AZURE_CLIENT_ID: z.string().optional(),
  /** NCRONTAB (6 fields) for the scheduled sync. */
  SYNC_SCHEDULE: z.string().default("0 */5 * * * *"),
  /** Public HTTPS URL of the SharePoint webhook function, used when creating Graph subscriptions. */
  WEBHOOK_NOTIFICATION_URL: z.string().optional(),
  /**
   * The hosts profiles' endpoint overrides may name, per service (shared/settings/endpointAllowlist.ts); unset or blank:
   * the public and sovereign Microsoft Graph, Microsoft identity and Atlassian hosts.
   */
  ALLOWED_GRAPH_HOSTS: hostList.optional(),
  ALLOWED_LOGIN_HOSTS: hostList.optional(),
  ALLOWED_ATLASSIAN_HOSTS: hostList.optional(),
  /**
   * Application Insights, where the Functions host sends its telemetry. Set, the app also sends its own run and
   * token-refresh events there (docs/operations.md#application-insights); unset (locally, in tests), it sends none.
   */
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  /**
   * `Authorization=AAD`, with `ClientId=<id>` for a user-assigned identity: the app signs its events with that managed
   * identity's Entra token, as the host signs its own (the component accepts nothing else).
   */
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.string().optional(),
  /** Set by the Functions platform in Azure; their presence tells us we run there. */
  WEBSITE_INSTANCE_ID: z.string().optional(),
  WEBSITE_SITE_NAME: z.string().optional(),
});

export type AppSettings = z.infer<typeof appSettingsSchema> & {
  readonly runsInAzure: boolean;
  readonly secretsProvider: "keyvault" | "sqlite";
  readonly profileStore: "table" | "sqlite";
  /** Absolute path of CONFLUENCE_SYNC_HOME. */
  readonly homeDir: string;
  /** Where profiles may send credentials, from the ALLOWED_*_HOSTS settings. */
  readonly endpointAllowlist: EndpointAllowlist;
};

export function readAppSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppSettings {
  const parsed = appSettingsSchema.parse(env);
  const runsInAzure = Boolean(parsed.WEBSITE_INSTANCE_ID ?? parsed.WEBSITE_SITE_NAME);
  return {
    ...parsed,
    runsInAzure,
    // SQLite is a developer convenience: in Azure the default is always the managed, shared store.
    secretsProvider: parsed.SECRETS_PROVIDER ?? (runsInAzure ? "keyvault" : "sqlite"),
    profileStore: parsed.PROFILE_STORE ?? (runsInAzure ? "table" : "sqlite"),
    homeDir: path.resolve(cwd, parsed.CONFLUENCE_SYNC_HOME),
    endpointAllowlist: EndpointAllowlist.fromSettings(parsed),
  };
}
