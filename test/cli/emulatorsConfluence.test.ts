import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, type ServedEmulators, serveEmulatorsFromCli } from "../helpers/cli";
import {
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  testSeed,
} from "../helpers/confluenceSite";

/**
 * `npx confluence-sync emulators --seed … --ports-file …` serves a seeded Confluence that a plain HTTP client can
 * drive through the documented endpoints (the "done when").
 */
describe("confluence-sync emulators (Confluence section)", () => {
  let served: ServedEmulators<{ confluence: { baseUrl: string; authBaseUrl: string; apiBaseUrl: string } }>;
  let ports: (typeof served)["ports"];

  beforeAll(async () => {
    served = await serveEmulatorsFromCli({ confluence: testSeed() });
    ports = served.ports;
  });

  afterAll(() => served.stop());

  it("writes both base URLs and serves the documented endpoints over HTTPS", async () => {
    expect(ports.confluence.authBaseUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(ports.confluence.apiBaseUrl).toMatch(/^https:\/\/localhost:\d+$/);

    const tokenResponse = await fetch(`${ports.confluence.authBaseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "refresh_token",
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        refresh_token: TEST_REFRESH_TOKEN,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token}` };

    const resources = (await (
      await fetch(`${ports.confluence.apiBaseUrl}/oauth/token/accessible-resources`, { headers: auth })
    ).json()) as Array<{ id: string }>;
    expect(resources.map((r) => r.id)).toEqual([TEST_CLOUD_ID]);

    const wiki = `${ports.confluence.apiBaseUrl}/ex/confluence/${TEST_CLOUD_ID}/wiki`;
    const page = (await (await fetch(`${wiki}/api/v2/pages/98306?body-format=storage`, { headers: auth })).json()) as {
      version: { number: number };
      title: string;
    };
    expect(page).toMatchObject({ title: "Roster", version: { number: 3 } });

    const put = await fetch(`${wiki}/api/v2/pages/98306`, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        id: "98306",
        status: "current",
        title: "Roster",
        body: { representation: "storage", value: "<p>from curl</p>" },
        version: { number: 4 },
      }),
    });
    expect(put.status).toBe(200);

    const edit = await fetch(`${ports.confluence.baseUrl}/_admin/pages/98306`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: "<p>by a person</p>" }),
    });
    expect(edit.status).toBe(200);
    const state = (await (await fetch(`${ports.confluence.baseUrl}/_admin/state`)).json()) as {
      pages: Array<{ id: string; body: string; version: { number: number } }>;
    };
    expect(state.pages.find((p) => p.id === "98306")).toMatchObject({
      body: expect.stringMatching(/^<p local-id="[0-9a-f-]{36}">by a person<\/p>$/),
      version: { number: 5 },
    });
    const log = (await (await fetch(`${ports.confluence.baseUrl}/_admin/requests`)).json()) as Array<{
      method: string;
      status: number;
    }>;
    expect(log.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 200", "GET 200", "GET 200", "PUT 200"]);
  });
});

describe("confluence-sync emulators with a bad Confluence seed", () => {
  it("fails with the bad path named", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "confluence-cli-"));
    try {
      const seedFile = path.join(dir, "seed.json");
      await writeFile(
        seedFile,
        JSON.stringify({
          confluence: { ...testSeed(), pages: [{ id: "1", spaceId: "404", title: "x", body: "<p/>" }] },
        }),
      );
      const result = await runCliInProcess([
        "emulators",
        "--seed",
        seedFile,
        "--ports-file",
        path.join(dir, "ports.json"),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("confluence.pages[0].spaceId: no space with id 404");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
