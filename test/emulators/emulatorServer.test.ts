import axios from "axios";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorServer } from "../../dev/emulators/common/emulatorServer";
import { generateEmulatorCertificate, trustCertificateInProcess } from "../../dev/emulators/common/tls";

describe("EmulatorServer (shared emulator plumbing)", () => {
  let server: EmulatorServer;
  let base: string;

  beforeAll(async () => {
    const certificate = await generateEmulatorCertificate();
    trustCertificateInProcess(certificate.cert);
    server = new EmulatorServer({
      name: "test",
      tls: certificate,
      faultBody: (status) => ({ error: { code: `fault${status}` } }),
      state: () => ({ hello: "world" }),
    });
    server.app.get("/things/:id", async (request) => ({ id: (request.params as { id: string }).id }));
    base = await server.listen();
  });
  afterAll(() => server.close());

  it("serves HTTPS that fetch and axios trust once the certificate is trusted in-process", async () => {
    expect(base).toMatch(/^https:\/\/localhost:\d+$/);
    expect(await (await fetch(`${base}/things/1`)).json()).toEqual({ id: "1" });
    expect((await axios.get(`${base}/things/2`)).data).toEqual({ id: "2" });
  });

  it("logs served calls but not admin calls, and clears the log on DELETE", async () => {
    await fetch(`${base}/_admin/requests`, { method: "DELETE" });
    await fetch(`${base}/things/a?x=1`);
    await fetch(`${base}/_admin/state`);
    const log = (await (await fetch(`${base}/_admin/requests`)).json()) as Array<{
      method: string;
      path: string;
      query: string;
      status: number;
    }>;
    expect(log.map(({ method, path, query, status }) => ({ method, path, query, status }))).toEqual([
      { method: "GET", path: "/things/a", query: "x=1", status: 200 },
    ]);
  });

  it("injects a fault n times with Retry-After and the service's error body", async () => {
    const added = await fetch(`${base}/_admin/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "GET", path: "^/things/", status: 429, retryAfter: 3, times: 2 }),
    });
    expect(added.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${base}/things/x`);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get("retry-after")).toBe("3");
        expect(await response.json()).toEqual({ error: { code: "fault429" } });
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
  });

  it("rejects an invalid fault spec with 400", async () => {
    const response = await fetch(`${base}/_admin/faults`, { method: "POST", body: JSON.stringify({ status: 99 }) });
    expect(response.status).toBe(400);
  });
});
