import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trustCertificateInProcess } from "../emulators/common/tls";
import { spawnCli } from "../helpers/cli";
import { buildGraphSeed, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_LIST_ID, TEST_SITE_ID, TEST_TENANT_ID } from "../helpers/graphSeed";

describe("`confluence-sync emulators` serving the Graph + identity emulators", () => {
  let dir: string;
  let child: ReturnType<typeof spawnCli>;
  let ports: { caCertPath: string; graph: { graphBaseUrl: string; authorityHost: string } };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "graph-cli-"));
    await writeFile(path.join(dir, "seed.json"), JSON.stringify(buildGraphSeed({ itemCount: 3 })));
    child = spawnCli(["emulators", "--seed", path.join(dir, "seed.json"), "--ports-file", path.join(dir, "ports.json")]);
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("emulators ready")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`emulators exited with ${code}: ${stderr}`)));
    });
    ports = JSON.parse(await readFile(path.join(dir, "ports.json"), "utf8"));
    trustCertificateInProcess(await readFile(ports.caCertPath, "utf8"));
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the graph URLs to the ports file and answers curl-style calls: token, then list items", async () => {
    expect(ports.graph).toEqual({ graphBaseUrl: expect.stringMatching(/^https:\/\/localhost:\d+$/), authorityHost: expect.stringMatching(/^https:\/\/localhost:\d+$/) });

    // curl -X POST "$AUTHORITY/$TENANT/oauth2/v2.0/token" -d grant_type=client_credentials -d client_id=… -d client_secret=… -d scope=https://graph.microsoft.com/.default
    const tokenResponse = await fetch(`${ports.graph.authorityHost}/${TEST_TENANT_ID}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: TEST_CLIENT_ID, client_secret: TEST_CLIENT_SECRET, scope: "https://graph.microsoft.com/.default" }),
    });
    expect(tokenResponse.status).toBe(200);
    const token = (await tokenResponse.json()) as { token_type: string; access_token: string; expires_in: number };
    expect(token).toMatchObject({ token_type: "Bearer", expires_in: 3599 });

    // curl -H "Authorization: Bearer $TOKEN" "$GRAPH/v1.0/sites/$SITE/lists/$LIST/items?expand=fields"
    const items = await fetch(`${ports.graph.graphBaseUrl}/v1.0/sites/${TEST_SITE_ID}/lists/${TEST_LIST_ID}/items?expand=fields`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(items.status).toBe(200);
    expect(items.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await items.json()) as { value: Array<{ id: string; fields: { Title: string } }> };
    expect(body.value.map((i) => [i.id, i.fields.Title])).toEqual([["1", "Item 1"], ["2", "Item 2"], ["3", "Item 3"]]);
  });
});
