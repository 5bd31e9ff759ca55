import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEmulatorCertificate, writeCertificateFile } from "../../dev/emulators/common/tls";
import { telemetryCredential, telemetryFromSettings } from "../../shared/functionsApp/azureMonitorTelemetry";
import { readAppSettings } from "../../shared/settings/appSettings";
import { repoRoot } from "../helpers/cli";

/**
 * The Functions app's sink as it runs in Azure: the built code (dist/, as `npm test` builds it) in a process of its own,
 * sending through the real Azure Monitor exporter to an Application Insights ingestion endpoint stand-in on loopback.
 * What arrives is what lands in `customEvents` / `AppEvents`: the Breeze envelope the exporter posts. The child
 * process ends within a second or two, before the exporter's first remote-configuration poll (5 to 15 s after start),
 * and every connection that is not to the stand-in goes to a recording proxy, so the test can say nothing else was
 * contacted.
 */

interface Envelope {
  name: string;
  time: string;
  data: {
    baseType: string;
    baseData: { name: string; properties: Record<string, string>; measurements: Record<string, number> };
  };
}

const INGESTION_KEY = "00000000-0000-0000-0000-0000000000a1";
const TOKEN = "entra-token-for-the-test";

let ingestion: {
  url: string;
  requests: Array<{ path: string; authorization: string | undefined; envelopes: Envelope[] }>;
  close(): Promise<void>;
};
let proxy: { url: string; connections: string[]; close(): Promise<void> };
let caFile: string;
let workDir: string;

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "telemetry-"));
  const certificate = await generateEmulatorCertificate();
  caFile = await writeCertificateFile(workDir, certificate.cert);
  const requests: typeof ingestion.requests = [];
  const server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    void body(request).then((text) => {
      const envelopes = text
        .toString("utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .flatMap((line) => JSON.parse(line) as Envelope | Envelope[]);
      requests.push({ path: request.url ?? "", authorization: request.headers.authorization, envelopes });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  ingestion = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const connections: string[] = [];
  const proxyServer = createHttpServer((request, response) => {
    connections.push(`${request.method} ${request.url}`);
    response.writeHead(502).end();
  });
  proxyServer.on("connect", (request, socket) => {
    connections.push(`CONNECT ${request.url}`);
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  proxyServer.listen(0, "127.0.0.1");
  await once(proxyServer, "listening");
  proxy = {
    url: `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`,
    connections,
    close: () => new Promise((resolve) => proxyServer.close(() => resolve())),
  };
});

afterAll(async () => {
  await Promise.all([ingestion?.close(), proxy?.close()]);
  await rm(workDir, { recursive: true, force: true });
});

/** Emits a run event and a token-refresh event from the built code in a child process; its exit code. */
async function emitFromChild(): Promise<number> {
  const script = `
    const sink = require(${JSON.stringify(path.join(repoRoot, "dist/shared/functionsApp/azureMonitorTelemetry.js"))});
    const events = require(${JSON.stringify(path.join(repoRoot, "dist/shared/engine/telemetryEvents.js"))});
    (async () => {
      const credential = { getToken: async () => ({ token: ${JSON.stringify(TOKEN)}, expiresOnTimestamp: Date.now() + 3600e3 }) };
      const telemetry = await sink.openAzureMonitorTelemetry({
        connectionString: "InstrumentationKey=${INGESTION_KEY};IngestionEndpoint=${ingestion.url}",
        credential,
      });
      telemetry.emit(events.runEndedEvent({
        profile: "hr-onboarding", runId: "run-42", dryRun: false, trigger: "schedule", outcome: "completedWithErrors",
        problem: { code: "SHAREPOINT_BATCH_FAILED", message: "one batch failed" },
        startedAt: "2026-03-01T08:10:05.000Z", finishedAt: "2026-03-01T08:10:07.250Z", cycles: 1,
        counts: { sharePoint: { created: 1, updated: 2, deleted: 0 }, confluence: { created: 0, updated: 3, deleted: 1 }, conflicts: 2, errors: 1 },
        items: [], apiCalls: { graph: 4, confluence: 2 },
      }, { open: 5, openedSince: 2, oldestOpenedAt: "2026-02-20T09:00:00.000Z" }));
      telemetry.emit(events.tokenRefreshEvent({
        at: "2026-03-01T08:10:05.100Z", profileKey: "hr-onboarding", outcome: "reauthorization-required",
        errorCode: "REAUTHORIZATION_REQUIRED", durationMs: 180,
      }));
      await telemetry.flush();
      await telemetry.shutdown();
      process.exit(0);
    })().catch((error) => { console.error(error); process.exit(1); });
  `;
  const child = spawn(process.execPath, ["-e", script], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: caFile,
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: "127.0.0.1,localhost",
      // The SDK's own usage statistics go to Microsoft, not to the component: not part of what is tested here.
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: "true",
      APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: "true",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const [code] = (await once(child, "exit")) as [number];
  return code;
}

describe("the Application Insights sink", () => {
  it("sends each event as a custom event whose fields are columns: dimensions, measurements, Entra-signed", async () => {
    expect(await emitFromChild()).toBe(0);
    const envelopes = ingestion.requests.flatMap((request) => request.envelopes);
    expect(ingestion.requests.map((request) => request.path)).toEqual(ingestion.requests.map(() => "/v2.1/track"));
    for (const request of ingestion.requests) expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    expect(envelopes.map((envelope) => [envelope.data.baseType, envelope.data.baseData.name])).toEqual([
      ["EventData", "ConfluenceSync.RunEnded"],
      ["EventData", "ConfluenceSync.TokenRefresh"],
    ]);
    const [run, refresh] = envelopes;
    // The event's time is the run's end (OpenTelemetry's float conversion may round it down by a millisecond).
    expect(Math.abs(Date.parse(run?.time ?? "") - Date.parse("2026-03-01T08:10:07.250Z"))).toBeLessThanOrEqual(1);
    expect(run?.data.baseData.properties).toEqual({
      Profile: "hr-onboarding",
      RunId: "run-42",
      Trigger: "schedule",
      Outcome: "completedWithErrors",
      ProblemCode: "SHAREPOINT_BATCH_FAILED",
      OldestOpenConflictAt: "2026-02-20T09:00:00.000Z",
    });
    expect(run?.data.baseData.measurements).toEqual({
      SharePointCreated: 1,
      SharePointUpdated: 2,
      SharePointDeleted: 0,
      ConfluenceCreated: 0,
      ConfluenceUpdated: 3,
      ConfluenceDeleted: 1,
      ConflictsSeen: 2,
      ConflictsOpened: 2,
      ConflictsOpen: 5,
      ItemErrors: 1,
      GraphCalls: 4,
      ConfluenceCalls: 2,
      DurationMs: 2250,
      Cycles: 1,
    });
    expect(refresh?.data.baseData.properties).toEqual({
      Profile: "hr-onboarding",
      Outcome: "reauthorization-required",
      ErrorCode: "REAUTHORIZATION_REQUIRED",
    });
    expect(refresh?.data.baseData.measurements).toEqual({ DurationMs: 180 });
    // Nothing else was contacted: every other connection would have gone through the recording proxy.
    expect(proxy.connections).toEqual([]);
  });
});

describe("the sink's settings", () => {
  it("is off without a connection string (locally, in tests): no exporter is loaded", async () => {
    expect(await telemetryFromSettings(readAppSettings({}, "/"))).toBeUndefined();
  });

  it("signs with the managed identity APPLICATIONINSIGHTS_AUTHENTICATION_STRING names, as the host does", () => {
    expect(
      telemetryCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=1b2c;Authorization=AAD" }),
    ).toBeInstanceOf(ManagedIdentityCredential);
    expect(telemetryCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=AAD" })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
    expect(telemetryCredential({})).toBeUndefined();
  });

  it("refuses an authentication string it cannot honour, naming the setting", () => {
    expect(() => telemetryCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=1b2c" })).toThrow(
      expect.objectContaining({ code: "APP_SETTING_INVALID", setting: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" }),
    );
  });
});
