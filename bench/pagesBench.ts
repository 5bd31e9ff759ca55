import { performance } from "node:perf_hooks";
import { confluenceCallKind, graphCallKind, type ServiceCalls, tallyCalls } from "../dev/sandbox";
import type { ProfileInput } from "../shared/config";
import { DELTA_PAGE_SIZE } from "../shared/engine/sharePointChanges";
import { mapBounded } from "../shared/runtime";
import { SecretNames } from "../shared/secrets/secretsProvider";
import { BenchHost } from "./benchHost";
import { BENCH_SITE_ID } from "./benchSite";

/**
 * The pages-mode benchmark (docs/pages-mode.md §8; numbers: docs/performance.md#the-pages-mode-benchmark): the real
 * engine through the real orchestrator against the emulators (a child process, the points quota counted, not
 * enforced), at 1,000 and 10,000 item pages: the first sync that creates them all, an idle run, 10 pages edited in
 * Confluence, 10 items edited in SharePoint, and a run with the hourly sweep; each against its lower bound, and the
 * naive full scan the .NET service does (list every child page, read every body, write every page) beside it. The
 * points per hour of a 5-minute schedule follow from the measured runs.
 */

const CLOUD_ID = "b5d3f1a9-2c4e-4a6b-8d0f-7e9a1c3b5d70";
const SITE_URL = "https://contoso.atlassian.net";
const SPACE = "3777855545";
const HOME = "4231790660";
const PARENT = "4231790669";
const TEMPLATE = "4231790670";
const LIST = "6e1a3c5b-7d9f-4b2a-8c4e-0f2a4c6e8b1d";
const TENANT = "9d2c5e4a-7b1f-4c3d-8e6a-2f4b6d8a0c1e";
const GRAPH_CLIENT = { id: "3f8e1a2b-5c4d-4e6f-9a7b-8c9d0e1f2a3b", secret: "bench~Graph.Secret_7Qm2Vx9Lp4Rt" };
const CONFLUENCE_CLIENT = { id: "QxBenchConfluenceClient", secret: "ATOAbench-confluence-secret-4k8Pz1Wq" };
const REFRESH = "eyJraWQiOiJiZW5jaCJ9.bench-refresh-token-9fT3";
const PROFILE = "bench-pages";
const MINUTE = 60;

export interface PagesRunResult {
  scenario: string;
  wallMs: number;
  calls: {
    graph: number;
    confluence: number;
    kinds: { graph: ServiceCalls["kinds"]; confluence: ServiceCalls["kinds"] };
  };
  points: number;
  bound: { graph: number; confluence: number; rule: string };
  withinBound: boolean;
  /** Heap the run held when it had planned (after a collection), MB; null when it did not plan. */
  heldMb: number | null;
}

export interface PagesSizeResult {
  pages: number;
  runs: PagesRunResult[];
  naive: { wallMs: number; calls: { graph: number; confluence: number }; points: number };
  /** A 5-minute schedule, idle: 11 idle runs and one with the hourly sweep. */
  pointsPerHourIdle: number;
  naivePointsPerHour: number;
}

export const pagesBenchmark = {
  key: "pages",
  name: "Pages mode: one page per item (docs/pages-mode.md §8)",
  async run(output: { json: boolean; write: (text: string) => void; progress: (line: string) => void }) {
    const sizes = (process.env.PAGES_BENCH_SIZES ?? "1000,10000").split(",").map(Number);
    const results: PagesSizeResult[] = [];
    for (const size of sizes) {
      output.progress(`pages mode at ${size} pages`);
      results.push(await benchSize(size, output.progress));
    }
    if (!output.json) output.write(text(results));
    return { sizes: results };
  },
};

/** The five runs and the naive scan at one size (at least 70 pages: the SharePoint edits touch items 7, 14, …, 70). */
export async function benchSize(size: number, progress: (line: string) => void): Promise<PagesSizeResult> {
  const shift = { ms: 0 };
  let held: number | null = null;
  const gc = (globalThis as { gc?: () => void }).gc;
  let baseline = 0;
  const host = await BenchHost.start({
    seed: seed(size),
    profiles: (emulators) => [{ input: profile(emulators.urls, size), secrets: secrets() }],
    onPlanned: () => {
      gc?.();
      held = (process.memoryUsage().heapUsed - baseline) / 1e6;
    },
    clock: { now: () => Date.now() + shift.ms },
  });
  const advance = async (seconds: number) => {
    await host.emulators.admin("POST", `${host.emulators.urls.confluenceBaseUrl}/_admin/clock`, {
      advanceSeconds: seconds,
    });
    shift.ms += seconds * 1000;
  };
  const points = async () =>
    (await host.emulators.admin<{ used: number }>("GET", `${host.emulators.urls.confluenceBaseUrl}/_admin/points`))
      .used;
  const measure = async (scenario: string, bound: PagesRunResult["bound"]): Promise<PagesRunResult> => {
    progress(`  ${scenario}`);
    await host.emulators.clearCalls();
    const pointsBefore = await points();
    gc?.();
    baseline = process.memoryUsage().heapUsed;
    held = null;
    const started = performance.now();
    await host.sync(PROFILE);
    const wallMs = performance.now() - started;
    const served = await host.emulators.calls();
    const graph = tallyCalls([...served.graph], graphCallKind(LIST));
    const confluence = tallyCalls(served.confluence, confluenceCallKind);
    const own = (tally: ServiceCalls) =>
      tally.kinds
        .filter((kind) => !["sign-in", "token refresh", "site lookup", "columns"].includes(kind.kind))
        .reduce((sum, kind) => sum + kind.calls, 0);
    const calls = {
      graph: own(graph),
      confluence: own(confluence),
      kinds: { graph: graph.kinds, confluence: confluence.kinds },
    };
    return {
      scenario,
      wallMs,
      calls,
      points: (await points()) - pointsBefore,
      bound,
      withinBound: calls.graph <= bound.graph && calls.confluence <= bound.confluence,
      heldMb: held,
    };
  };
  try {
    const runs: PagesRunResult[] = [];
    const batches = (n: number) => Math.ceil(n / 20);
    const reads = (n: number) => Math.ceil(n / 250);
    runs.push(
      await measure(`first sync: create ${size} pages`, {
        graph: Math.ceil(size / DELTA_PAGE_SIZE) + batches(size),
        confluence: 2 + reads(size) + 2 * size + 1,
        rule: `parent + template + tree listing + N creates + N property writes; Graph: ⌈N/${DELTA_PAGE_SIZE}⌉ enumeration pages + ⌈N/20⌉ $batch`,
      }),
    );
    await advance(20 * MINUTE);
    await host.sync(PROFILE); // the feed lists the new pages while the overlap lasts: known by version, nothing read
    await advance(20 * MINUTE);
    runs.push(await measure("idle", { graph: 1, confluence: 1, rule: "1 delta + 1 feed call" }));
    const pageIds = await childIds(host, 10);
    for (const id of pageIds) await host.emulators.savePage(id, pageBody(`Edited ${id}`, 7));
    runs.push(
      await measure("10 pages edited in Confluence", {
        graph: 2,
        confluence: 1 + reads(10),
        rule: "feed + ⌈k/250⌉ batched reads; Graph: delta + ⌈k/20⌉ $batch",
      }),
    );
    await advance(20 * MINUTE);
    await host.sync(PROFILE);
    await advance(20 * MINUTE);
    for (let id = 1; id <= 10; id += 1)
      await host.emulators.editItem(BENCH_SITE_ID, LIST, String(id * 7), { Amount: 9000 + id });
    runs.push(
      await measure("10 items edited in SharePoint", {
        graph: 1,
        confluence: 1 + reads(10) + 10,
        rule: "feed + ⌈k/250⌉ batched reads + k page updates; Graph: delta",
      }),
    );
    await advance(61 * MINUTE);
    runs.push(
      await measure("idle, with the hourly sweep", {
        graph: 1,
        confluence: 1 + reads(size),
        rule: "feed + ⌈N/250⌉ tree listing",
      }),
    );
    const naive = await naiveScan(host);
    const idle = runs.find((run) => run.scenario === "idle")!;
    const swept = runs[runs.length - 1]!;
    return {
      pages: size,
      runs,
      naive,
      pointsPerHourIdle: 11 * idle.points + swept.points,
      naivePointsPerHour: 12 * naive.points,
    };
  } finally {
    await host.close();
  }
}

/** The .NET-style full scan: every child page listed, every body read one by one, every page written back. */
async function naiveScan(host: BenchHost): Promise<PagesSizeResult["naive"]> {
  const { confluence } = await host.clients(PROFILE);
  await host.emulators.clearCalls();
  const before = (
    await host.emulators.admin<{ used: number }>("GET", `${host.emulators.urls.confluenceBaseUrl}/_admin/points`)
  ).used;
  const started = performance.now();
  const ids: string[] = [];
  for await (const page of confluence.listTree(PARENT, "children")) ids.push(page.id);
  await mapBounded(ids, 8, async (id) => {
    const page = await confluence.getPage(id, { storage: true });
    await confluence.updatePage({
      id,
      title: page.title,
      storage: page.storage ?? "",
      version: page.version.number + 1,
    });
  });
  const wallMs = performance.now() - started;
  const served = await host.emulators.calls();
  const after = (
    await host.emulators.admin<{ used: number }>("GET", `${host.emulators.urls.confluenceBaseUrl}/_admin/points`)
  ).used;
  return {
    wallMs,
    calls: { graph: 0, confluence: served.confluence.filter((call) => !call.path.startsWith("/oauth")).length },
    points: after - before,
  };
}

async function childIds(host: BenchHost, count: number): Promise<string[]> {
  const { confluence } = await host.clients(PROFILE);
  const ids: string[] = [];
  for await (const page of confluence.listTree(PARENT, "children")) {
    ids.push(page.id);
    if (ids.length >= count) break;
  }
  return ids;
}

function pageBody(name: string, amount: number): string {
  const row = (key: string, value: string) =>
    `<tr><th><p><strong>${key}</strong></p></th><td><p>${value}</p></td></tr>`;
  return `<ac:structured-macro ac:name="details"><ac:parameter ac:name="id">item</ac:parameter><ac:rich-text-body><table><tbody>${row("Title", name)}${row("Amount", String(amount))}</tbody></table></ac:rich-text-body></ac:structured-macro>`;
}

function seed(size: number): unknown {
  return {
    graph: {
      tenantId: TENANT,
      clients: [{ clientId: GRAPH_CLIENT.id, clientSecret: GRAPH_CLIENT.secret, displayName: "ConfluenceSync bench" }],
      sites: [
        {
          id: BENCH_SITE_ID,
          displayName: "Bench",
          lists: [
            {
              id: LIST,
              displayName: "Items",
              columns: [
                { name: "Title", displayName: "Title", text: { allowMultipleLines: false, maxLength: 255 } },
                { name: "Amount", displayName: "Amount", number: { decimalPlaces: "automatic", displayAs: "number" } },
                {
                  name: "ConfluencePageId",
                  displayName: "Page id",
                  text: { allowMultipleLines: false, maxLength: 255 },
                },
              ],
              items: Array.from({ length: size }, (_, index) => ({
                id: String(index + 1),
                fields: { Title: `Item ${index + 1}`, Amount: index + 1 },
              })),
            },
          ],
        },
      ],
    },
    confluence: {
      cloudId: CLOUD_ID,
      siteUrl: SITE_URL,
      oauth: { clientId: CONFLUENCE_CLIENT.id, clientSecret: CONFLUENCE_CLIENT.secret, refreshTokens: [REFRESH] },
      spaces: [{ id: SPACE, key: "BENCH", name: "Bench", homepageId: HOME }],
      pages: [
        { id: HOME, spaceId: SPACE, title: "Home", body: "<p>home</p>" },
        { id: PARENT, spaceId: SPACE, parentId: HOME, title: "Items", body: "<p>items</p>" },
        {
          id: TEMPLATE,
          spaceId: SPACE,
          parentId: HOME,
          title: "Item template",
          body: pageBody("<ac:placeholder>Name</ac:placeholder>", 0).replace(
            "<p>0</p>",
            "<p><ac:placeholder>Amount</ac:placeholder></p>",
          ),
        },
      ],
      // Counted (and reported in headers), never enforced: the benchmark measures what the runs would spend.
      pointsQuota: { pointsPerHour: 1_000_000_000, enforced: false },
      shuffleBulkReads: true,
    },
  };
}

function profile(
  urls: { graphBaseUrl: string; authorityHost: string; confluenceAuthBaseUrl: string; confluenceApiBaseUrl: string },
  size: number,
): ProfileInput {
  return {
    key: PROFILE,
    sharePoint: { siteId: BENCH_SITE_ID, listId: LIST },
    confluence: {
      cloudId: CLOUD_ID,
      siteUrl: SITE_URL,
      target: {
        mode: "pages",
        parentPageId: PARENT,
        templatePageId: TEMPLATE,
        block: { detailsId: "item" },
        titleTemplate: "{Title}",
        titleCollisionTemplate: "{Title} ({ID})",
        maxCreatesPerRun: size,
        pointsPerHourShare: 1,
        parallelPageWrites: 8,
      },
    },
    fields: [
      { sharePoint: "Title", confluence: "Title" },
      { sharePoint: "Amount", confluence: "Amount" },
    ],
    endpoints: {
      graphBaseUrl: urls.graphBaseUrl,
      authorityHost: urls.authorityHost,
      confluenceAuthBaseUrl: urls.confluenceAuthBaseUrl,
      confluenceApiBaseUrl: urls.confluenceApiBaseUrl,
    },
  } as ProfileInput;
}

function secrets(): Record<string, string> {
  return {
    [SecretNames.GraphTenantId]: TENANT,
    [SecretNames.GraphClientId]: GRAPH_CLIENT.id,
    [SecretNames.GraphClientSecret]: GRAPH_CLIENT.secret,
    [SecretNames.ConfluenceClientId]: CONFLUENCE_CLIENT.id,
    [SecretNames.ConfluenceClientSecret]: CONFLUENCE_CLIENT.secret,
    [SecretNames.ConfluenceRefreshToken]: REFRESH,
  };
}

function text(results: readonly PagesSizeResult[]): string {
  const lines: string[] = [];
  for (const size of results) {
    lines.push(
      ``,
      `${size.pages} item pages`,
      `| run | Graph calls | Confluence calls | points | bound (Graph / Confluence) | wall | heap held |`,
      `| --- | --- | --- | --- | --- | --- | --- |`,
    );
    for (const run of size.runs)
      lines.push(
        `| ${run.scenario} | ${run.calls.graph} | ${run.calls.confluence} | ${run.points} | ${run.bound.graph} / ${run.bound.confluence}${run.withinBound ? "" : " (over)"} | ${(run.wallMs / 1000).toFixed(2)} s | ${run.heldMb === null ? "–" : `${run.heldMb.toFixed(1)} MB`} |`,
      );
    lines.push(
      `| naive full scan (list, read every body, write every page) | ${size.naive.calls.graph} | ${size.naive.calls.confluence} | ${size.naive.points} | – | ${(size.naive.wallMs / 1000).toFixed(2)} s | – |`,
      ``,
      `points per hour on a 5-minute schedule, idle: ${size.pointsPerHourIdle} (naive: ${size.naivePointsPerHour})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
