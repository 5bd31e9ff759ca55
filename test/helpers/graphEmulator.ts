import { generateEmulatorCertificate, trustCertificateInProcess } from "../../dev/emulators/common/tls";
import { type RunningGraphEmulator, startGraphEmulator } from "../../dev/emulators/graph/graphEmulator";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_TENANT_ID } from "./graphSeed";

export interface TestGraph {
  emulator: RunningGraphEmulator;
  graphBaseUrl: string;
  authorityHost: string;
  /** A client-credentials token from the identity emulator, fetched with plain fetch. */
  token(): Promise<string>;
  /** Plain-fetch Graph call with a token; returns status, headers and the parsed JSON body. */
  call(
    method: string,
    pathOrUrl: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Admin-surface call (`/_admin/...`). */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts the identity + Graph emulators on HTTPS with a fresh certificate this process trusts. */
export async function startTestGraph(seed: { graph: unknown }): Promise<TestGraph> {
  const certificate = await generateEmulatorCertificate();
  trustCertificateInProcess(certificate.cert);
  const emulator = await startGraphEmulator(seed.graph, { certificate });
  const { graphBaseUrl, authorityHost } = emulator.urls;
  let cached: string | undefined;
  const token = async (): Promise<string> => {
    if (cached) return cached;
    const response = await fetch(`${authorityHost}/${TEST_TENANT_ID}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    cached = ((await response.json()) as { access_token: string }).access_token;
    return cached;
  };
  return {
    emulator,
    graphBaseUrl,
    authorityHost,
    token,
    call: async (method, pathOrUrl, init = {}) => {
      const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${graphBaseUrl}/v1.0/${pathOrUrl.replace(/^\//, "")}`;
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${await token()}`,
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
    admin: async (method, path, body) => {
      const response = await fetch(`${graphBaseUrl}/_admin/${path.replace(/^\//, "")}`, {
        method,
        ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    close: () => emulator.close(),
  };
}
