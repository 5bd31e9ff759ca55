import type { EmulatorCertificate } from "./tls";

/** What a started emulator reports: the base URLs clients need, and how to stop it. */
export interface RunningEmulator {
  name: string;
  /** Named base URLs, written to the ports file, e.g. `{ "apiBaseUrl": "https://localhost:51234" }`. */
  urls: Record<string, string>;
  close(): Promise<void>;
}

export interface EmulatorStartContext {
  certificate: EmulatorCertificate;
}

/**
 * Starts one emulator from its section of a seed file (`graph`, `confluence`, …). Sections are validated by the
 * emulator itself, so a bad seed fails with a message naming the section and path.
 */
export type EmulatorStarter = (seedSection: unknown, context: EmulatorStartContext) => Promise<RunningEmulator>;
