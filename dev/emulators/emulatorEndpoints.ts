import { EndpointAllowlist } from "../../shared/settings/endpointAllowlist";

/**
 * The emulators serve on `localhost` (emulatorServer.ts), which no production allowlist holds. Whatever runs the app
 * against them (the sandbox, the benchmark, the tests, a developer's shell) sets these app settings explicitly, so
 * profiles may point there; the code's default never includes a loopback host (docs/configuration.md#endpoint-allowlist).
 */
export const EMULATOR_ENDPOINT_SETTINGS = {
  ALLOWED_GRAPH_HOSTS: "localhost",
  ALLOWED_LOGIN_HOSTS: "localhost",
  ALLOWED_ATLASSIAN_HOSTS: "localhost",
} as const;

/** The same allowlist as an object, for code that builds services without reading settings. */
export const EMULATOR_ENDPOINTS = EndpointAllowlist.fromSettings(EMULATOR_ENDPOINT_SETTINGS);
