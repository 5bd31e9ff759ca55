import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import type { TableStorageLocation } from "../../shared/state/tableClientFactory";

/** The shared Azurite started by the global setup. */
export function azuriteLocation(): TableStorageLocation {
  return { kind: "connectionString", connectionString: inject("azuriteTableConnectionString") };
}

/**
 * A table-name prefix unique to the calling test, so tests sharing one Azurite never see each other's rows.
 * Table names: letters and digits, starting with a letter, 3–63 characters.
 */
export function uniqueTablePrefix(label = "t"): string {
  return `${label.replace(/[^A-Za-z0-9]/g, "").slice(0, 20) || "t"}${randomBytes(5).toString("hex")}`;
}
