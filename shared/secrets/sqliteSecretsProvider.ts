import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type Clock, systemClock } from "../runtime";
import type { SecretsProvider } from "./secretsProvider";

/**
 * Secrets in the local SQLite config database, table `ConfigStore(ProfileKey, Key, Value, UpdatedAt)`.
 *
 * For local development only: values are stored in plain text in a file under CONFLUENCE_SYNC_HOME (kept out of
 * git by .gitignore). node:sqlite is synchronous; the async interface is kept so callers do not care which store
 * they have. The caller owns the database connection (several stores share one) and closes it.
 */
export class SqliteSecretsProvider implements SecretsProvider {
  readonly #clock: Clock;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #list: StatementSync;
  readonly #delete: StatementSync;

  constructor(database: DatabaseSync, options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    database.exec(`CREATE TABLE IF NOT EXISTS ConfigStore (
      ProfileKey TEXT NOT NULL,
      Key TEXT NOT NULL,
      Value TEXT NOT NULL,
      UpdatedAt TEXT NOT NULL,
      PRIMARY KEY (ProfileKey, Key)
    )`);
    this.#select = database.prepare("SELECT Value FROM ConfigStore WHERE ProfileKey = ? AND Key = ?");
    this.#upsert = database.prepare(
      `INSERT INTO ConfigStore (ProfileKey, Key, Value, UpdatedAt) VALUES (?, ?, ?, ?)
       ON CONFLICT (ProfileKey, Key) DO UPDATE SET Value = excluded.Value, UpdatedAt = excluded.UpdatedAt`,
    );
    this.#list = database.prepare("SELECT Key FROM ConfigStore WHERE ProfileKey = ?");
    this.#delete = database.prepare("DELETE FROM ConfigStore WHERE ProfileKey = ? AND Key = ?");
  }

  async get(profileKey: string, name: string): Promise<string | undefined> {
    const row = this.#select.get(profileKey, name) as { Value: string } | undefined;
    return row?.Value;
  }

  async set(profileKey: string, name: string, value: string): Promise<void> {
    this.#upsert.run(profileKey, name, value, new Date(this.#clock.now()).toISOString());
  }

  async listNames(profileKey: string): Promise<string[]> {
    // Sorted here rather than by SQL so every provider orders names the same way (UTF-16 code units).
    return (this.#list.all(profileKey) as Array<{ Key: string }>).map((row) => row.Key).sort();
  }

  async delete(profileKey: string, name: string): Promise<void> {
    this.#delete.run(profileKey, name);
  }
}
