import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openConfigDatabase, SqliteProfileStore, TableProfileStore } from "../../shared/config";
import { createManualClock } from "../../shared/runtime";
import { openTable } from "../../shared/state/tableClientFactory";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";
import { describeProfileStoreContract } from "./profileStoreContract";

describeProfileStoreContract("SqliteProfileStore (Profiles in config.db)", async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), "cs-profiles-"));
  const database = openConfigDatabase(home);
  const clock = createManualClock();
  return {
    store: new SqliteProfileStore(database, { clock }),
    clock,
    openAnother: async () => new SqliteProfileStore(openConfigDatabase(home), { clock }),
    writeRaw: async (key, json) => {
      database
        .prepare("INSERT OR REPLACE INTO Profiles (ProfileKey, Profile, UpdatedAt) VALUES (?, ?, ?)")
        .run(key, json, new Date().toISOString());
    },
    close: async () => {
      database.close();
      await rm(home, { recursive: true, force: true });
    },
  };
});

describeProfileStoreContract("TableProfileStore (Azurite)", async () => {
  const tableName = uniqueTablePrefix("profiles");
  const clock = createManualClock();
  const table = await openTable(azuriteLocation(), tableName);
  return {
    store: await TableProfileStore.open(azuriteLocation(), { tableName, clock }),
    clock,
    openAnother: () => TableProfileStore.open(azuriteLocation(), { tableName, clock }),
    writeRaw: async (key, json) => {
      await table.upsertEntity(
        { partitionKey: "profile", rowKey: key, Profile: json, UpdatedAt: new Date().toISOString() },
        "Replace",
      );
    },
    close: async () => {
      await table.deleteTable();
    },
  };
});
