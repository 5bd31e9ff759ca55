import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";

/**
 * How to reach the storage account that holds our tables.
 * - `connectionString`: Azurite locally and in tests (`http://127.0.0.1:…` endpoints need allowInsecureConnection).
 * - `tableServiceUri` + credential: Azure, identity-based (shared-key access is disabled on the account).
 */
export type TableStorageLocation =
  | { kind: "connectionString"; connectionString: string }
  | { kind: "identity"; tableServiceUri: string; credential: TokenCredential };

/** Creates the table (idempotently, tolerating a concurrent creator) and returns a client bound to it. */
export async function openTable(location: TableStorageLocation, tableName: string): Promise<TableClient> {
  const client = createTableClient(location, tableName);
  await client.createTable();
  return client;
}

export function createTableClient(location: TableStorageLocation, tableName: string): TableClient {
  if (location.kind === "connectionString") {
    const options: TableServiceClientOptions = {
      allowInsecureConnection: /TableEndpoint=http:|UseDevelopmentStorage=true/i.test(location.connectionString),
    };
    return TableClient.fromConnectionString(location.connectionString, tableName, options);
  }
  return new TableClient(location.tableServiceUri, tableName, location.credential);
}

/**
 * Resolves the storage location from the Functions app settings: an identity-based `AzureWebJobsStorage__tableServiceUri`
 * (Azure) wins over a connection string (local `func start`, Azurite).
 */
export function tableStorageFromSettings(settings: {
  AzureWebJobsStorage?: string | undefined;
  AzureWebJobsStorage__tableServiceUri?: string | undefined;
  AzureWebJobsStorage__clientId?: string | undefined;
}): TableStorageLocation | undefined {
  if (settings.AzureWebJobsStorage__tableServiceUri) {
    const clientId = settings.AzureWebJobsStorage__clientId;
    return {
      kind: "identity",
      tableServiceUri: settings.AzureWebJobsStorage__tableServiceUri,
      credential: clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential(),
    };
  }
  if (settings.AzureWebJobsStorage) return { kind: "connectionString", connectionString: settings.AzureWebJobsStorage };
  return undefined;
}
