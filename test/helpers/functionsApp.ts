import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HttpRequest, type HttpResponse, type HttpResponseInit } from "@azure/functions";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { ProfileValidator, readAppSettings, TableProfileStore } from "../../shared/config";
import type { AppServices } from "../../shared/functionsApp";
import { type Clock, silentTelemetry, systemClock, type Telemetry } from "../../shared/runtime";
import { InMemorySecretsProvider } from "../../shared/secrets/inMemorySecretsProvider";
import { openStateStores } from "../../shared/state/stateStores";
import { azuriteLocation, uniqueTablePrefix } from "./tables";

/** Secret values every test profile gets; tests assert none of them ever appears in a response or log. */
export const TEST_SECRETS = {
  ConfluenceClientId: "conf-client-id-4f1e",
  ConfluenceClientSecret: "conf-client-secret-9a7c6b5d",
  ConfluenceRefreshToken: "conf-refresh-token-2e3f4a5b",
  GraphTenantId: "tenant-0d9c8b7a",
  GraphClientId: "graph-client-id-1a2b",
  GraphClientSecret: "graph-client-secret-6c5d4e3f",
};

/**
 * The Functions app's services over the shared Azurite (tables under a fresh prefix, profiles in Table Storage) and
 * in-memory secrets: what `appServices()` opens in Azure, without touching the environment.
 */
export async function testAppServices(
  options: {
    secrets?: Record<string, Record<string, string>>;
    env?: NodeJS.ProcessEnv;
    clock?: Clock;
    sharePoint?: AppServices["sharePoint"];
    telemetry?: Telemetry;
  } = {},
): Promise<AppServices & { secrets: InMemorySecretsProvider; tablePrefix: string }> {
  const tablePrefix = uniqueTablePrefix("app");
  const location = azuriteLocation();
  const home = mkdtempSync(path.join(tmpdir(), "functions-app-"));
  const settings = readAppSettings(
    {
      PROFILE_STORE: "table",
      SECRETS_PROVIDER: "sqlite",
      CONFLUENCE_SYNC_HOME: home,
      ...EMULATOR_ENDPOINT_SETTINGS,
      ...options.env,
    },
    home,
  );
  const secrets = new InMemorySecretsProvider(options.secrets ?? {});
  const profiles = await TableProfileStore.open(location, { tableName: `${tablePrefix}Profiles` });
  const state = await openStateStores(location, { tablePrefix });
  return {
    settings,
    config: {
      settings,
      secrets,
      profiles,
      validator: new ProfileValidator(secrets, profiles, settings.endpointAllowlist),
      close: () => undefined,
    },
    state,
    clock: options.clock ?? systemClock,
    sharePoint: options.sharePoint ?? {},
    telemetry: options.telemetry ?? silentTelemetry,
    close: () => undefined,
    secrets,
    tablePrefix,
  };
}

export function post(
  url: string,
  body = "",
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): HttpRequest {
  return new HttpRequest({ method: "POST", url, body: { string: body }, headers, params });
}

export function get(url: string, params: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: "GET", url, params });
}

/** Status, headers and body of what a handler returned, whichever form it took. */
export async function readResponse(
  response: HttpResponseInit | HttpResponse,
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  if ("arrayBuffer" in response) {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  }
  const text =
    response.jsonBody !== undefined
      ? JSON.stringify(response.jsonBody)
      : typeof response.body === "string"
        ? response.body
        : "";
  return {
    status: response.status ?? 200,
    headers: new Headers(response.headers as Record<string, string> | undefined),
    text,
    json: response.jsonBody,
  };
}
