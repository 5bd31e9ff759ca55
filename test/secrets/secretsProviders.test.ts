import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InMemorySecretsProvider, SqliteSecretsProvider } from "../../shared/secrets";
import { openConfigDatabase } from "../../shared/settings/configDatabase";
import { emulatedKeyVaultProvider, startTestKeyVault } from "../helpers/keyVault";
import { describeSecretsProviderContract } from "./secretsProviderContract";

describeSecretsProviderContract("InMemorySecretsProvider", async () => ({ provider: new InMemorySecretsProvider() }));

describeSecretsProviderContract("SqliteSecretsProvider (ConfigStore in config.db)", async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), "cs-secrets-"));
  const database = openConfigDatabase(path.join(home, "nested", "home"));
  return {
    provider: new SqliteSecretsProvider(database),
    close: async () => {
      database.close();
      await rm(home, { recursive: true, force: true });
    },
  };
});

describeSecretsProviderContract("KeyVaultSecretsProvider (real SecretClient against the emulator)", async () => {
  const vault = await startTestKeyVault();
  return { provider: emulatedKeyVaultProvider(vault), close: () => vault.close() };
});
