import { ZodError } from "zod";
import { type ConfigServices, openConfigServices, readAppSettings } from "../shared/config";
import { formatIssuePath } from "../shared/config/profileIssue";
import { CliError, type CliIo } from "./cliContext";

/**
 * Runs `action` with the profiles, secrets and validator the environment configures (CONFLUENCE_SYNC_HOME resolved
 * against the command's working directory), and releases them afterwards.
 */
export async function withConfigServices<T>(io: CliIo, action: (services: ConfigServices) => Promise<T>): Promise<T> {
  let settings;
  try {
    settings = readAppSettings(io.env, io.cwd);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const problems = error.issues.map((issue) => `  ${formatIssuePath(issue.path)}: ${issue.message}`);
    throw new CliError(`invalid app settings in the environment:\n${problems.join("\n")}`);
  }
  const services = await openConfigServices(settings);
  try {
    return await action(services);
  } finally {
    services.close();
  }
}
