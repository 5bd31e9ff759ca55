import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { EMULATOR_ENDPOINT_SETTINGS } from "../../dev/emulators/emulatorEndpoints";
import { openConfigServices, readAppSettings } from "../../shared/config";
import { runCliInProcess } from "./cli";
import { harnessSecretValues, type SyncHarness } from "./syncHarness";
import { azuriteLocation } from "./tables";

/** A CLI's own home (config store, secrets) holding a sync harness's profile under a fresh key. */
export interface CliProfile {
  readonly key: string;
  /** The temporary working directory; the caller removes it. */
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Runs the CLI in-process in that home. */
  run(...args: string[]): ReturnType<typeof runCliInProcess>;
}

/**
 * Saves the harness's profile under a fresh `{keyPrefix}-…` key in a new CLI home, with the harness's secrets. Each
 * profile gets its own Confluence consent: the CLI's grant ledger (in the shared Azurite) refuses a refresh token
 * another profile exchanged. `connected: false` stores no refresh token (a profile never connected).
 */
export async function cliProfileFor(
  harness: SyncHarness,
  options: { readonly keyPrefix: string; readonly connected?: boolean },
): Promise<CliProfile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `cs-${options.keyPrefix}-`));
  const location = azuriteLocation();
  const env = {
    CONFLUENCE_SYNC_HOME: "home",
    AzureWebJobsStorage: location.kind === "connectionString" ? location.connectionString : "",
    ...EMULATOR_ENDPOINT_SETTINGS,
  };
  const key = `${options.keyPrefix}-${randomBytes(4).toString("hex")}`;
  const { ConfluenceRefreshToken: _, ...withoutToken } = harnessSecretValues();
  const secrets =
    options.connected === false
      ? withoutToken
      : { ...withoutToken, ConfluenceRefreshToken: harness.confluence.tokens.consent() };
  const config = await openConfigServices(readAppSettings(env, dir));
  try {
    await config.profiles.save({ ...harness.profile, key } as never);
    for (const [name, value] of Object.entries(secrets)) await config.secrets.set(key, name as never, value);
  } finally {
    config.close();
  }
  return { key, dir, env, run: (...args: string[]) => runCliInProcess(args, { env, cwd: dir }) };
}
