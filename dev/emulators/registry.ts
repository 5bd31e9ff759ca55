import type { EmulatorStarter } from "./common/runningEmulator";

export type { EmulatorStartContext, EmulatorStarter, RunningEmulator } from "./common/runningEmulator";

/**
 * Seed sections → starters. Loaded lazily so `confluence-sync` commands that do not serve emulators never load
 * Fastify or certificate code.
 */
export const emulatorStarters: Record<string, () => Promise<EmulatorStarter>> = {
  keyVault: () => import("./keyVault/keyVaultEmulator.js").then((m) => m.startKeyVaultEmulator),
  confluence: () => import("./confluence/confluenceEmulator.js").then((m) => m.startConfluence),
  /** Microsoft identity + Graph (SharePoint lists); urls `{ graphBaseUrl, authorityHost }`. */
  graph: () => import("./graph/graphEmulator.js").then((m) => m.startGraphEmulator),
};
