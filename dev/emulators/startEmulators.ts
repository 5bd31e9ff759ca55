import path from "node:path";
import { generateEmulatorCertificate, writeCertificateFile } from "./common/tls";
import { emulatorStarters, type RunningEmulator } from "./registry";

export interface StartedEmulators {
  /** What the ports file holds: the certificate to trust and each section's base URLs. */
  ports: { caCertPath: string } & Record<string, unknown>;
  emulators: RunningEmulator[];
  close(): Promise<void>;
}

/**
 * Starts one emulator per known section of `seed` (see docs/emulators.md#seed-file for the seed shape), all sharing one
 * generated certificate, which is written to `certDir` so another process can trust it (`NODE_EXTRA_CA_CERTS`).
 */
export async function startEmulatorsFromSeed(
  seed: Record<string, unknown>,
  certDir: string,
): Promise<StartedEmulators> {
  const known = Object.keys(emulatorStarters);
  const sections = Object.keys(seed).filter((section) => section in emulatorStarters);
  if (sections.length === 0) {
    throw new Error(
      `the seed has no emulator section; expected one or more of: ${known.join(", ") || "(none registered)"}`,
    );
  }
  const certificate = await generateEmulatorCertificate();
  const caCertPath = await writeCertificateFile(path.resolve(certDir), certificate.cert);
  const emulators: RunningEmulator[] = [];
  try {
    for (const section of sections) {
      const start = await emulatorStarters[section]!();
      emulators.push(await start(seed[section], { certificate }));
    }
  } catch (error) {
    await Promise.allSettled(emulators.map((e) => e.close()));
    throw error;
  }
  const ports: StartedEmulators["ports"] = { caCertPath };
  for (const emulator of emulators) ports[emulator.name] = emulator.urls;
  return {
    ports,
    emulators,
    close: async () => {
      await Promise.allSettled(emulators.map((e) => e.close()));
    },
  };
}
