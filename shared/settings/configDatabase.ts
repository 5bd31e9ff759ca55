import { mkdirSync } from "node:fs";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";

/** The local configuration database under CONFLUENCE_SYNC_HOME: the `ConfigStore` (secrets) and `Profiles` tables. */
export const CONFIG_DATABASE_FILE = "config.db";

/**
 * Opens (creating the folder and file when needed) `<homeDir>/config.db`. Local development only: in Azure,
 * secrets live in Key Vault and profiles in Table Storage, and this is never called.
 *
 * WAL and a busy timeout let the CLI and a local Functions host use the file at the same time.
 */
export function openConfigDatabase(homeDir: string): DatabaseSync {
  // Loaded on first use, so processes that never touch SQLite (the app in Azure) never load the experimental module.
  const { DatabaseSync: Database } = require("node:sqlite") as typeof import("node:sqlite");
  mkdirSync(homeDir, { recursive: true });
  const database = new Database(path.join(homeDir, CONFIG_DATABASE_FILE));
  database.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;");
  return database;
}
