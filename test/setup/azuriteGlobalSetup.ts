import type { TestProject } from "vitest/node";
import { startAzuriteTable } from "../../dev/emulators/azuriteTable";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of the in-memory Azurite table service shared by the whole test run. */
    azuriteTableConnectionString: string;
  }
}

/**
 * One in-memory Azurite table service for the whole run; every Table Storage test uses it, each with its own table
 * names (see test/helpers/tables.ts), so files can run in parallel without seeing each other's rows.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzuriteTable();
  project.provide("azuriteTableConnectionString", azurite.connectionString);
  return () => azurite.close();
}
