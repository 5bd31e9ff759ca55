import { describe, expect, it } from "vitest";
import { createSyncActivities } from "../../shared/engine/activities";
import { createEngineServices } from "../../shared/engine/engineServices";
import { HARNESS_RETRY, sampleItems, sampleRows } from "../helpers/syncHarness";
import { harnessPerTest } from "../helpers/syncTestRuns";

/**
 * Minimal cost (docs/design.md#invariant-5-minimal-cost), counted from the emulators' request logs. What is counted:
 * every call the app made to Graph (a `$batch` once, whatever it holds; its sub-requests are logged beside it and not
 * counted) and to the Confluence API; token calls are listed separately (identity emulator, Confluence `/oauth/token`).
 */

const start = harnessPerTest();

const topLevel = (calls: string[]) => calls.filter((call) => !call.startsWith("  "));

describe("what a run costs", () => {
  it("an idle run: 1 Graph delta call and 1 Confluence page read, no writes, no token call in a warm process", async () => {
    const h = await start({ items: sampleItems(5), rows: sampleRows(5) });
    await h.sync();
    h.clearCalls();
    const report = await h.sync();
    expect(topLevel(h.graphCalls())).toEqual(["GET …/items/delta 200"]);
    expect(h.confluenceCalls()).toEqual(["GET /pages/98306 200"]);
    expect(h.calls().identity).toEqual([]);
    expect(report.apiCalls).toEqual({ graph: 1, confluence: 1 });
  });

  it("an idle run in a fresh process adds the column read and getting a token from each service, nothing else", async () => {
    const h = await start({ items: sampleItems(5), rows: sampleRows(5) });
    await h.sync();
    const fresh = createEngineServices(
      { config: h.services.config, state: h.services.state },
      { graphRetry: HARNESS_RETRY, confluenceRetry: HARNESS_RETRY },
    );
    h.activities = createSyncActivities(fresh);
    h.clearCalls();
    const report = await h.sync();
    expect(topLevel(h.graphCalls())).toEqual(["GET …/columns 200", "GET …/items/delta 200"]);
    // MSAL reads the authority's metadata once per credential, then asks for the token.
    expect(h.calls().identity.map((entry) => `${entry.method} ${entry.path.replace(/^\/[^/]+/, "")}`)).toEqual([
      "GET /v2.0/.well-known/openid-configuration",
      "POST /oauth2/v2.0/token",
    ]);
    expect(h.confluenceCalls()).toEqual(["POST /oauth/token 200", "GET /pages/98306 200"]);
    expect(report.apiCalls).toEqual({ graph: 2, confluence: 1 });
  });

  it("50 rows edited in Confluence: 3 Graph $batch calls and no page update", async () => {
    const h = await start({ items: sampleItems(50), rows: sampleRows(50) });
    await h.sync();
    await h.editRows((rows) => rows.map((row) => [row[0]!, row[1]!, "Done", row[3]!]));
    h.clearCalls();
    const report = await h.sync();
    expect(report.counts.sharePoint.updated).toBe(50);
    expect(topLevel(h.graphCalls())).toEqual([
      "GET …/items/delta 200",
      "POST /v1.0/$batch 200",
      "POST /v1.0/$batch 200",
      "POST /v1.0/$batch 200",
    ]);
    expect(h.confluenceCalls()).toEqual(["GET /pages/98306 200"]);
    expect(report.apiCalls).toEqual({ graph: 4, confluence: 1 });
  });

  it("items edited in SharePoint: one page update, whatever their number", async () => {
    const h = await start({ items: sampleItems(30), rows: sampleRows(30) });
    await h.sync();
    for (let id = 1; id <= 30; id += 1) await h.editItem(String(id), { Amount: id * 100 });
    h.clearCalls();
    const report = await h.sync();
    expect(report.counts.confluence.updated).toBe(30);
    expect(topLevel(h.graphCalls())).toEqual(["GET …/items/delta 200"]);
    expect(h.confluenceCalls()).toEqual(["GET /pages/98306 200", "PUT /pages/98306 200"]);
    expect(report.apiCalls).toEqual({ graph: 1, confluence: 2 });
  });
});
