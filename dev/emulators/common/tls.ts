import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import tls from "node:tls";
import { generate } from "selfsigned";

/** A certificate for `localhost` / `127.0.0.1` that also acts as its own CA, so clients can trust it directly. */
export interface EmulatorCertificate {
  cert: string;
  key: string;
}

/**
 * Generated at start-up, never committed: the Graph SDK and MSAL refuse plain http, so every emulator they talk to
 * serves HTTPS with this certificate. EC keys keep generation in the millisecond range.
 */
export async function generateEmulatorCertificate(): Promise<EmulatorCertificate> {
  const now = Date.now();
  // A unique subject per certificate: when one process trusts several (tests start emulators independently),
  // OpenSSL looks issuers up by subject name, and two CAs with the same subject would shadow each other.
  const subject = `ConfluenceSync emulator ${randomBytes(6).toString("hex")}`;
  const result = await generate([{ name: "commonName", value: subject }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 7 * 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}

/**
 * Adds the emulator certificate to this process's default trust store, next to the system CAs, so every TLS client
 * in the process (axios, fetch, the Azure SDKs, MSAL) accepts the emulators without special options — the same
 * effect `NODE_EXTRA_CA_CERTS` has on a process started with it.
 */
export function trustCertificateInProcess(certPem: string): void {
  const current = tls.getCACertificates("default");
  if (!current.includes(certPem)) tls.setDefaultCACertificates([...current, certPem]);
}

/** Writes the certificate where another process can pick it up with `NODE_EXTRA_CA_CERTS`. */
export async function writeCertificateFile(dir: string, certPem: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "emulator-ca.pem");
  await writeFile(file, certPem, "utf8");
  return file;
}
