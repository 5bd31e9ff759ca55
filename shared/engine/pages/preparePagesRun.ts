import type { PagesProfile } from "../../config/profile";
import type { ConfluencePage } from "../../confluence";
import { type FieldCodecs, parseStorage } from "../../mapping";
import { type PageBlockReading, readPageBlock, selectPageBlock } from "../../mapping/keyValueBlock";
import { mapBounded } from "../../runtime";
import type { SharePointItem } from "../../sharepoint/listItem";
import type { LoadedItemStates } from "../../state/itemStateStore";
import type { ItemLink, PageRecord, PendingItem } from "../../state/pageLinkStore";
import type { PagesCursor, PagesSetup, SyncCursor } from "../../state/syncCursorStore";
import {
  applyGates,
  type ConfluenceRowReading,
  type HeldChange,
  type ItemState,
  NOTHING_APPLIED,
  type ReadyPlan,
  type SharePointItemReading,
  type SharePointSide,
  type SyncRules,
  settlePlan,
} from "../../sync";
import { type CodecInputs, codecsFor } from "../codecInputs";
import { pendingSettlements, recordConflicts } from "../conflictLog";
import type { EngineServices } from "../engineServices";
import { ApiCallMeter } from "../prepare/apiCallMeter";
import { planWithReads } from "../prepare/planWithReads";
import type { RunEnding } from "../prepare/runEnding";
import { confirmVanishedItems, MODERATION_STATUS_COLUMN } from "../prepare/vanishedItems";
import type { PrepareRunInput, PrepareRunResult } from "../run/runContract";
import { plannedWrites } from "../run/runProgress";
import type { RunItemReport } from "../run/runReport";
import type { RunContext } from "../run/stagedDocuments";
import { sharePointBatches } from "../sharePointBatches";
import { fieldSamples, itemReading, readSharePointChanges } from "../sharePointChanges";
import { BACKLINK_PENDING } from "./commitPagesRun";
import { classifyMissing, type FeedHit, listPageTree, type MissingPage, readFeed, readPages } from "./pageFeed";
import { createTitles, pageJobs } from "./pageJobs";
import { adoptByNaturalKey, type Pairing, type PropertyReading, pairPages, propertyReading } from "./pagePairing";
import { checkPagesColumns, type ItemExtras, itemExtras, pagesSelect } from "./pagesColumns";
import { pagesProblem, pagesReportEntry } from "./pagesReport";
import { checkSetup, templateSetup } from "./pagesSetup";
import { type PagesCycle, PagesStagedRun } from "./pagesStage";
import { fitToBudget, ledgerAt, pointsLeft, spend } from "./pointsBudget";

const MINUTE_MS = 60_000;
const PARALLEL_READS = 8;

/**
 * `prepareRun` for a pages-mode profile (docs/engine.md#a-pages-mode-run, docs/pages-mode.md): reads what changed on
 * both sides (the delta, the feed, the pending items, a sweep when due), the pages those changes touch and their
 * state, pairs pages with items, plans with the table-mode planner, holds back what gates close, and stages one job
 * per page write or create. A run with nothing to do stores the moved cursor and ends after its two reads.
 */
export async function preparePagesRun(
  services: EngineServices,
  input: PrepareRunInput,
  profile: PagesProfile,
  rules: SyncRules,
  ending: RunEnding,
): Promise<PrepareRunResult> {
  const calls = new ApiCallMeter();
  const target = profile.confluence.target;
  const now = services.clock.now();
  const nowIso = new Date(now).toISOString();
  const sharePoint = await services.connections.sharePoint(profile);
  calls.attach({ graph: sharePoint });
  const confluence = await services.connections.confluence(profile);
  calls.attach({ confluence });

  const [directory, stored] = await Promise.all([
    services.directory.get(profile, sharePoint),
    services.state.cursors.get(profile.key),
  ]);
  const before = stored?.cursor.pages;
  if (before?.blockedUntil !== undefined && Date.parse(before.blockedUntil) > now)
    return ending.failed(
      {
        code: "CONFLUENCE_QUOTA_EXHAUSTED",
        message: `Confluence refused this app's calls (hourly points quota) until ${before.blockedUntil}; the run waits instead of calling into the limit`,
      },
      calls.now(),
    );
  const columnProblems = checkPagesColumns(profile, directory.columns);
  if (columnProblems.length > 0) return ending.invalid(invalid(profile, columnProblems));

  const select = pagesSelect(profile, directory.columns);
  const storedLink =
    stored !== undefined && sameSelect(stored.cursor.select, select) ? stored.cursor.deltaLink : undefined;
  const changes = await readSharePointChanges(sharePoint, storedLink, select);
  const samples = fieldSamples(profile, directory.columns, changes.changed, stored?.cursor.fieldSamples ?? {});
  const codecInputs: CodecInputs = { ...directory, samples, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" };
  const built = codecsFor(profile, codecInputs);
  if (!built.ok) {
    const message = `profile "${profile.key}": ${built.errors.map((error) => error.message).join("; ")}`;
    return ending.failed({ code: built.errors[0]?.code ?? "FIELD_MAPPING_INVALID", message }, calls.now());
  }
  const codecs = built.codecs;
  const setupResult = await checkSetup(profile, directory.columns, codecs, confluence, before?.setup);
  if (!setupResult.ok) return ending.invalid(invalid(profile, setupResult.problems));
  let setup = setupResult.setup;
  let template = setupResult.template;

  // ------------------------------------------------------------ what changed
  const firstRun = before === undefined;
  const sweepDue =
    firstRun || before.sweepDue === true || now - Date.parse(before.sweptAt) >= target.sweepEveryMinutes * MINUTE_MS;
  const hits: FeedHit[] = firstRun
    ? []
    : await readFeed(confluence, profile, setup.spaceId, { feedFrom: before.feedFrom, now });
  // The sweep reads a row per page: it waits for an hour with points to spare (a first run always lists the tree).
  const ledger = ledgerAt(before?.points, now);
  const sweepCost = 2 * (before?.linkedPages ?? 0) + 2;
  const sweepAffordable =
    firstRun ||
    pointsLeft(
      spend(ledger, confluence.pointsSpent, confluence.rateLimit),
      target.pointsPerHourShare,
      confluence.rateLimit,
    ) >= sweepCost;
  const tree = sweepDue && sweepAffordable ? await listPageTree(confluence, profile) : undefined;
  const pending = await services.state.pageLinks.pending(profile.key);

  let records: Map<string, PageRecord>;
  if (tree !== undefined) {
    records = new Map();
    for await (const record of services.state.pageLinks.allPages(profile.key)) records.set(record.pageId, record);
  } else {
    records = await services.state.pageLinks.pages(
      profile.key,
      hits.map((hit) => hit.id),
    );
  }
  const candidates = new Set<string>();
  for (const hit of hits) {
    if (hit.id === target.parentPageId || hit.id === target.templatePageId) continue;
    const record = records.get(hit.id);
    if (record === undefined) candidates.add(hit.id);
    else if (record.role !== "copy" && (hit.version === null || hit.version > record.seenVersion))
      candidates.add(hit.id);
  }
  const inTree = new Set(tree?.map((page) => page.id) ?? []);
  for (const page of tree ?? [])
    if (!records.has(page.id) && page.id !== target.templatePageId) candidates.add(page.id);
  const sweptAway =
    tree === undefined ? [] : [...records.values()].filter((r) => r.role === "item" && !inTree.has(r.pageId));

  const full = changes.mode.kind === "full";
  const considered = new Set<string>([...changes.changed.map((item) => item.id), ...changes.deletedIds]);
  for (const item of pending) considered.add(item.itemId);
  // A conflict someone settled is planned again with its page, whether or not either side changed since
  // (docs/design.md#37-settling-conflicts).
  const settlements = await pendingSettlements(services.state.conflicts, profile.key);
  for (const settlement of settlements) considered.add(settlement.sharePointId);
  for (const pageId of candidates) {
    const itemId = records.get(pageId)?.itemId;
    if (itemId !== undefined && itemId !== null && records.get(pageId)?.role === "item") considered.add(itemId);
  }
  for (const record of sweptAway) if (record.itemId !== null) considered.add(record.itemId);

  // ------------------------------------------------------------ the items and pages it touches
  const sharePointById = new Map<string, SharePointItem>(changes.changed.map((item) => [item.id, item]));
  const extras = new Map<string, ItemExtras>(changes.changed.map((item) => [item.id, itemExtras(profile, item)]));
  const loaded = full
    ? await services.state.items.load(profile.key)
    : await loadStates(services, profile.key, [...considered]);
  for (const state of loaded.states) if (full) considered.add(state.sharePointId);
  const stateById = new Map(loaded.states.map((state) => [state.sharePointId, state]));
  const versions = new Map(loaded.versions);
  // The sync's own SharePoint writes come back in the delta: an item still at the eTag the sync wrote, that nothing
  // else brings in, has nothing new (invariant 3) and its page is not read for it.
  const pulled = new Set([
    ...pending.map((item) => item.itemId),
    ...settlements.map((settlement) => settlement.sharePointId),
    ...[...candidates].flatMap((pageId) => {
      const itemId = records.get(pageId)?.itemId;
      return itemId === undefined || itemId === null ? [] : [itemId];
    }),
    ...sweptAway.flatMap((record) => (record.itemId === null ? [] : [record.itemId])),
  ]);
  const echoes = new Set(
    full
      ? []
      : changes.changed.flatMap((item) => {
          const state = stateById.get(item.id);
          const own = state?.status === "active" && item.eTag !== undefined && state.sharePointETag === item.eTag;
          return own && !pulled.has(item.id) ? [item.id] : [];
        }),
  );
  for (const id of echoes) considered.delete(id);

  const nothingNew = !full && considered.size === 0 && candidates.size === 0 && sweptAway.length === 0;
  const cursorBase: PagesCursor = {
    feedFrom: nowIso,
    sweptAt: tree !== undefined ? nowIso : (before?.sweptAt ?? nowIso),
    linkedPages: before?.linkedPages ?? 0,
    setup,
    ...(tree === undefined && before?.sweepDue === true ? { sweepDue: true } : {}),
  };
  if (nothingNew && !input.dryRun) {
    await services.state.cursors.save(
      profile.key,
      {
        ...(stored?.cursor ?? {}),
        deltaLink: changes.deltaLink,
        select,
        fieldSamples: samples,
        pages: { ...cursorBase, points: spend(ledger, confluence.pointsSpent, confluence.rateLimit) },
        runId: input.runId,
        updatedAt: nowIso,
      } satisfies SyncCursor,
      stored?.version ?? null,
    );
    return ending.unchanged(calls.now());
  }

  // ------------------------------------------------------------ the pages they touch
  let links = await services.state.pageLinks.items(profile.key, [...considered]);

  const wanted = new Set<string>([...candidates, ...sweptAway.map((record) => record.pageId)]);
  for (const itemId of considered) {
    const link = links.get(itemId);
    if (link?.phase === "linked" && link.pageId !== null) wanted.add(link.pageId);
    else {
      const column = extras.get(itemId)?.pageId;
      if (column?.kind === "page") wanted.add(column.id);
    }
  }
  const read = await readPages(confluence, [...wanted], { storage: true });
  const missing = await classifyMissing(
    confluence,
    [...wanted].filter((id) => !read.has(id)),
  );
  // Pages seen for the first time: their link property says whose they are.
  const unknown = [...read.keys()].filter((id) => !records.has(id));
  const unknownRecords = tree === undefined ? await services.state.pageLinks.pages(profile.key, unknown) : new Map();
  for (const [pageId, record] of unknownRecords) records.set(pageId, record);
  const properties = new Map<string, PropertyReading>();
  const owner = { profile: profile.key, listId: profile.sharePoint.listId };
  await mapBounded(
    [...read.keys()].filter((id) => !records.has(id)),
    PARALLEL_READS,
    async (pageId) => {
      const property = await confluence.getProperty(pageId, target.linkProperty);
      properties.set(pageId, propertyReading(property?.value, owner));
    },
  );
  // Items a page claims that the run did not consider yet: their state and link too.
  const claimed = [...properties.values()].flatMap((property) =>
    property.kind === "ours" && !considered.has(property.itemId) ? [property.itemId] : [],
  );
  if (claimed.length > 0) {
    const more = await loadStates(services, profile.key, claimed);
    for (const state of more.states) stateById.set(state.sharePointId, state);
    for (const [id, version] of more.versions) versions.set(id, version);
    for (const id of claimed) considered.add(id);
    links = new Map([...links, ...(await services.state.pageLinks.items(profile.key, claimed))]);
    // Their own pages, to tell the item's page from a copy.
    const theirs = claimed.flatMap((id) => {
      const pageId = links.get(id)?.pageId;
      return pageId === undefined || pageId === null || read.has(pageId) || missing.has(pageId) ? [] : [pageId];
    });
    for (const [id, page] of await readPages(confluence, theirs, { storage: true })) read.set(id, page);
    for (const [id, why] of await classifyMissing(
      confluence,
      theirs.filter((id) => !read.has(id)),
    ))
      missing.set(id, why);
    const theirRecords = await services.state.pageLinks.pages(profile.key, theirs);
    for (const [id, record] of theirRecords) records.set(id, record);
  }

  let pairing = pairPages({
    considered: new Map([...considered].map((id) => [id, { column: extras.get(id)?.pageId ?? null }])),
    links,
    records,
    read: new Map([...read].map(([id, page]) => [id, { version: page.version.number }])),
    missing,
    properties,
    now: nowIso,
  });

  // ------------------------------------------------------------ the blocks
  const blocks = new Map<string, { reading: PageBlockReading; page: ConfluencePage }>();
  const reports: RunItemReport[] = [];
  const excluded = new Set<string>();
  const pendingNext: PendingItem[] = [];
  const adoption = adopt(profile, rules, codecs, setup, { pairing, read, considered, sharePointById, links, extras });
  pairing = adoption.pairing;
  for (const { itemIds, pageIds } of adoption.ambiguous) {
    const message = `the natural key (matchBy) of item(s) ${itemIds.join(", ")} is also held by page(s) ${pageIds.join(", ")}: which belongs to which is not guessed; write the page id into the item's ${target.pageIdColumn} column`;
    for (const itemId of itemIds) {
      excluded.add(itemId);
      reports.push(pagesReportEntry(itemId, "skip", { code: "AMBIGUOUS_MATCH", message }, input.cycle));
    }
  }
  for (const [itemId, pageId] of pairing.pageOfItem) {
    const page = read.get(pageId);
    if (page === undefined) continue;
    const reading = readBlock(profile, codecs, setup, page);
    if (reading.ok) blocks.set(pageId, { reading: reading.reading, page });
    else {
      excluded.add(itemId);
      reports.push(pagesReportEntry(itemId, "error", reading.problem, input.cycle));
      // The item's own changes must not be lost while its page cannot be read: it is looked at again next run.
      if (sharePointById.has(itemId)) pendingNext.push({ itemId, reason: reading.problem.code });
    }
  }
  for (const { itemId, message } of pairing.columnProblems) {
    excluded.add(itemId);
    reports.push(pagesReportEntry(itemId, "error", { code: "PAGE_ID_COLUMN_INVALID", message }, input.cycle));
  }
  for (const { pageId, itemId } of pairing.copies)
    if (!records.has(pageId) || records.get(pageId)?.role !== "copy")
      reports.push(
        pagesReportEntry(
          itemId,
          "skip",
          {
            code: "PAGE_COPY",
            message: `page ${pageId} carries the link of item ${itemId}, which has its own page: a copy; it is never synced`,
          },
          input.cycle,
        ),
      );
  for (const pageId of pairing.unlinked)
    if (records.get(pageId)?.role !== "unlinked")
      reports.push(
        pagesReportEntry(
          null,
          "skip",
          {
            code: "PAGE_UNLINKED",
            message: `page ${pageId} ("${read.get(pageId)?.title ?? ""}") is under the parent page but linked to no item; it is left alone${rules.matchBy === null ? "" : " unless matchBy pairs it"}`,
          },
          input.cycle,
        ),
      );

  // ------------------------------------------------------------ the planner's view
  const pageOfRow: string[] = [];
  const rows: ConfluenceRowReading[] = [];
  const archived = new Set<string>();
  const confluenceGateClosed = new Set<string>();
  for (const [itemId, pageId] of pairing.pageOfItem) {
    const block = blocks.get(pageId);
    if (block === undefined || excluded.has(itemId)) continue;
    pageOfRow.push(pageId);
    rows.push({
      rowRef: rows.length,
      rowKey: itemId,
      cells: block.reading.fields,
      editedAt: block.page.version.createdAt,
    });
    if (block.page.status === "archived") archived.add(itemId);
    const gate = block.reading.gate;
    if (gate !== undefined && gate.kind !== "open") {
      confluenceGateClosed.add(itemId);
      if (gate.kind === "invalid")
        reports.push(
          pagesReportEntry(
            itemId,
            "error",
            {
              code: "GATE_INVALID",
              message: `the gate "${profile.gates.confluence}" on page ${pageId} says "${gate.text}", not yes or no; it counts as closed`,
            },
            input.cycle,
          ),
        );
    }
  }
  const planned = (id: string) => !excluded.has(id);
  const readings: SharePointItemReading[] = changes.changed
    .filter((item) => planned(item.id) && !echoes.has(item.id))
    .map((item) => itemReading(item, codecs));
  const states: ItemState[] = [...stateById.values()].filter(
    (state) => planned(state.sharePointId) && considered.has(state.sharePointId),
  );
  let side: SharePointSide = full
    ? { kind: "full", items: readings }
    : { kind: "delta", changed: readings, deletedIds: changes.deletedIds.filter(planned) };
  if (side.kind === "full") {
    // An item missing from a full enumeration is deleted only once a read by id says so (as in table mode).
    const vanished = await confirmVanishedItems(sharePoint, select, codecs, {
      side,
      state: states,
      rows,
      contentApproval: directory.columns.some((column) => column.name === MODERATION_STATUS_COLUMN),
      cycle: input.cycle,
    });
    // Those a read by id found are taken as unchanged since last read (their page is not read for them this run).
    const seen = new Set(readings.map((reading) => reading.id));
    const found = vanished.side.items.filter((reading) => !seen.has(reading.id)).map((reading) => reading.id);
    side = { kind: "full", items: readings, unseen: [...(vanished.side.unseen ?? []), ...found] };
    reports.push(...vanished.problems);
  }
  // An item whose linked page is gone is planned without its row: the planner's "row gone" (docs/pages-mode.md §3).
  const { plan: raw, planMs } = await planWithReads(sharePoint, select, codecs, {
    rules,
    state: states,
    sharePoint: side,
    confluence: { rows, page: { version: 0, editedAt: nowIso } },
    runAt: input.startedAt,
    totals: { sharePoint: cursorBase.linkedPages, confluence: cursorBase.linkedPages },
    settlements: settlements.filter((settlement) => planned(settlement.sharePointId)),
  });
  services.logger.debug("sync planned", {
    profile: profile.key,
    runId: input.runId,
    planMs,
    stateRows: states.length,
    sharePointItems: readings.length,
    pageRows: rows.length,
  });
  if (raw.kind === "stopped") return ending.stopped(raw, calls.now());

  // ------------------------------------------------------------ gates and the create budget
  const sharePointGateClosed = new Set<string>();
  for (const id of considered) {
    const fromDelta = extras.get(id);
    if (fromDelta !== undefined ? !fromDelta.gateOpen : links.get(id)?.gateClosed === true)
      sharePointGateClosed.add(id);
  }
  const gated = applyGates(raw, {
    towardConfluence: new Set([...sharePointGateClosed, ...archived]),
    towardSharePoint: confluenceGateClosed,
  });
  // Creates beyond the run's share wait for the next run; an item whose title cannot be made gets no page.
  const titles = createTitles(profile, gated.plan.confluence.appends);
  const notCreated = new Set(titles.problems.map((problem) => problem.itemId));
  const creatable = gated.plan.confluence.appends.filter((append) => !notCreated.has(append.sharePointId));
  const deferredCreates = new Set(creatable.slice(target.maxCreatesPerRun).map((append) => append.sharePointId));
  const budgeted =
    deferredCreates.size + notCreated.size === 0
      ? gated
      : applyGates(gated.plan, {
          towardConfluence: new Set([...deferredCreates, ...notCreated]),
          towardSharePoint: new Set(),
        });
  // What the profile's points share lets this run write: creates wait first, then page updates (docs/pages-mode.md §8).
  const left = pointsLeft(
    spend(ledger, confluence.pointsSpent, confluence.rateLimit),
    target.pointsPerHourShare,
    confluence.rateLimit,
  );
  const writes = budgeted.plan.confluence;
  const fit = fitToBudget(left, {
    updates: writes.rowUpdates.length + writes.removals.length,
    creates: writes.appends.length,
  });
  const overBudget = new Set([
    ...writes.appends.slice(fit.creates).map((append) => append.sharePointId),
    ...[...writes.rowUpdates, ...writes.removals]
      .slice(fit.updates)
      .flatMap((write) => (write.sharePointId === null ? [] : [write.sharePointId])),
  ]);
  const plan: ReadyPlan =
    overBudget.size === 0
      ? budgeted.plan
      : applyGates(budgeted.plan, { towardConfluence: overBudget, towardSharePoint: new Set() }).plan;
  const held: HeldChange[] = gated.held;
  for (const itemId of overBudget) {
    pendingNext.push({ itemId, reason: "POINTS_DEFERRED" });
    reports.push(
      pagesReportEntry(
        itemId,
        "skip",
        {
          code: "POINTS_DEFERRED",
          message: `item ${itemId}'s page write waits for a later run: the profile's share of the hourly Confluence points quota is spent`,
        },
        input.cycle,
      ),
    );
  }
  for (const itemId of deferredCreates) {
    pendingNext.push({ itemId, reason: "CREATE_DEFERRED" });
    reports.push(
      pagesReportEntry(
        itemId,
        "skip",
        {
          code: "CREATE_DEFERRED",
          message: `item ${itemId}'s page waits for a later run (at most ${target.maxCreatesPerRun} pages are created per run)`,
        },
        input.cycle,
      ),
    );
  }
  for (const { itemId, problem } of titles.problems)
    reports.push(pagesReportEntry(itemId, "error", problem, input.cycle));

  if (input.dryRun) return ending.dryRun(plan, reports, calls.now());

  // ------------------------------------------------------------ jobs
  if (plan.confluence.appends.length > 0 && template === undefined) {
    const page = await confluence.getPage(target.templatePageId, { storage: true });
    const fresh = templateSetup(profile, codecs, page);
    if (!fresh.ok) return ending.invalid(invalid(profile, fresh.problems));
    setup = { ...setup, ...fresh.setup };
    template = { storage: page.storage ?? "", version: page.version.number };
  }
  const jobs = pageJobs({
    plan,
    pageOfRow,
    read,
    links,
    propertyWrites: new Set([...pairing.propertyWrites].filter((pageId) => !excludedPage(pairing, excluded, pageId))),
    pageOfItem: new Map([...pairing.pageOfItem].filter(([itemId]) => !excluded.has(itemId))),
    titles: titles.titles,
  });

  // ------------------------------------------------------------ stage, then phase zero
  const staged = ending.staged;
  const pagesStaged = new PagesStagedRun(services.state.staging, input, () =>
    new Date(services.clock.now()).toISOString(),
  );
  await recordConflicts(services.state.conflicts, profile.key, plan, input.runId, nowIso);
  const batches = sharePointBatches(plan);
  await staged.putPlan(plan);
  for (const batch of batches) await staged.putBatch(batch);
  for (const job of jobs) await pagesStaged.putJob(job);
  const context: RunContext = {
    profile,
    codecInputs,
    page: { id: target.parentPageId, title: "", version: 0, storage: "", editedAt: nowIso },
    readLink: changes.deltaLink,
    select,
    fieldSamples: samples,
    cursorVersion: stored?.version ?? null,
    maxItemIdAtRead: 0,
    trigger: input.trigger,
    startedAt: input.startedAt,
    apiCalls: calls.now(),
    readProblems: [],
    batchIds: batches.map((batch) => batch.batchId),
  };
  const linksNow: ItemLink[] = [...pairing.links, ...gateLinks(considered, extras, links, pairing, nowIso)];
  const cycle: PagesCycle = {
    profile,
    jobIds: jobs.map((job) => job.jobId),
    jobItems: Object.fromEntries(jobs.map((job) => [job.jobId, job.itemId])),
    considered: [...considered],
    records: pairing.records,
    links: linksNow,
    pagesSeen: [...read.values()].map((page) => ({
      pageId: page.id,
      itemId: records.get(page.id)?.itemId ?? pairingItemOf(pairing, page.id),
      version: page.version.number,
    })),
    backlinks: backlinksToWrite(pairing, pending, excluded).map((link) => ({
      ...link,
      url: pageUrl(profile, read.get(link.pageId)),
    })),
    pendingBefore: pending.map((item) => item.itemId),
    pending: pendingNext,
    held,
    reports,
    cursor: {
      ...cursorBase,
      setup,
      linkedPages: tree !== undefined ? countLinked(records, pairing) : cursorBase.linkedPages,
      points: spend(ledger, confluence.pointsSpent, confluence.rateLimit),
      ...(missingLinked(pairing) ? { sweepDue: true } : {}),
    },
  };
  await pagesStaged.putCycle(cycle);
  await pagesStaged.putJobsContext({
    profile,
    codecInputs,
    setup,
    ...(template === undefined ? {} : { template }),
  });
  await staged.putContext(context);
  // Phase zero: conflicts and pending values remembered, creates announced (their titles), nothing applied.
  const creating = jobs.flatMap((job): ItemLink[] =>
    job.kind === "create"
      ? [
          {
            itemId: job.itemId,
            pageId: null,
            phase: "creating",
            title: job.title,
            runId: input.runId,
            updatedAt: nowIso,
          },
        ]
      : [],
  );
  await services.state.pageLinks.putItems(profile.key, creating);
  const committed = await services.state.items.commit(profile.key, settlePlan(plan, NOTHING_APPLIED), versions);
  await staged.putVersions(committed);
  return {
    kind: "plannedPages",
    sharePointBatchIds: batches.map((batch) => batch.batchId),
    pageJobIds: jobs.map((job) => job.jobId),
    parallelPageWrites: target.parallelPageWrites,
    planned: plannedWrites(plan),
  };
}

function invalid(profile: PagesProfile, problems: readonly { path: string; message: string }[]) {
  return {
    ok: false as const,
    known: true,
    message: `profile "${profile.key}" cannot run: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join("; ")}`,
    missingSecrets: [],
    errors: [...problems],
  };
}

function sameSelect(stored: readonly string[] | undefined, select: readonly string[]): boolean {
  return stored !== undefined && stored.length === select.length && stored.every((key, index) => key === select[index]);
}

/** The states of `ids` (issue 16 may give the store a batched read; point reads in parallel until then). */
async function loadStates(
  services: EngineServices,
  profileKey: string,
  ids: readonly string[],
): Promise<LoadedItemStates> {
  return services.state.items.loadSome(profileKey, [...new Set(ids)]);
}

/** A page's block through the codecs, or why it cannot be read (that item's problem, docs/pages-mode.md §4). */
function readBlock(
  profile: PagesProfile,
  codecs: FieldCodecs,
  setup: PagesSetup,
  page: ConfluencePage,
): { ok: true; reading: PageBlockReading } | { ok: false; problem: { code: string; message: string } } {
  const parsed = parseStorage(page.storage ?? "", { pageId: page.id });
  if (!parsed.ok) return { ok: false, problem: pagesProblem(parsed.error) };
  const selected = selectPageBlock(parsed.document, profile.confluence.target.block, codecs, {
    gateKey: profile.gates.confluence,
  });
  if (!selected.ok) {
    const first = selected.errors[0];
    return {
      ok: false,
      problem: {
        code: first?.code ?? "BLOCK_NOT_FOUND",
        message: selected.errors.map((error) => error.message).join("; "),
      },
    };
  }
  return { ok: true, reading: readPageBlock(selected.block, new Map(Object.entries(setup.placeholders))) };
}

/** Link rows that remember each read item's SharePoint gate (for runs whose delta does not report it). */
function gateLinks(
  considered: ReadonlySet<string>,
  extras: ReadonlyMap<string, ItemExtras>,
  links: ReadonlyMap<string, ItemLink>,
  pairing: Pairing,
  now: string,
): ItemLink[] {
  const out: ItemLink[] = [];
  const paired = new Map(pairing.links.map((link) => [link.itemId, link]));
  for (const itemId of considered) {
    const read = extras.get(itemId);
    if (read === undefined) continue;
    const link = paired.get(itemId) ?? links.get(itemId);
    if (link === undefined) continue;
    if ((link.gateClosed === true) === !read.gateOpen) continue;
    out.push({ ...link, gateClosed: !read.gateOpen, updatedAt: now });
  }
  return out;
}

function pairingItemOf(pairing: Pairing, pageId: string): string | null {
  for (const [itemId, page] of pairing.pageOfItem) if (page === pageId) return itemId;
  return null;
}

function countLinked(records: ReadonlyMap<string, PageRecord>, pairing: Pairing): number {
  const linked = new Set<string>();
  for (const record of records.values())
    if (record.role === "item" && record.itemId !== null) linked.add(record.itemId);
  for (const itemId of pairing.pageOfItem.keys()) linked.add(itemId);
  return linked.size;
}

function missingLinked(pairing: Pairing): boolean {
  return [...pairing.goneOfItem.values()].some((gone) => gone.why === ("gone" satisfies MissingPage));
}

function excludedPage(pairing: Pairing, excluded: ReadonlySet<string>, pageId: string): boolean {
  const itemId = pairingItemOf(pairing, pageId);
  return itemId === null || excluded.has(itemId);
}

/** Backlinks: columns that disagree with the page, and pages whose id did not reach the column on an earlier run. */
function backlinksToWrite(
  pairing: Pairing,
  pending: readonly PendingItem[],
  excluded: ReadonlySet<string>,
): { itemId: string; pageId: string; url: string | null }[] {
  const byItem = new Map(pairing.backlinks.map((link) => [link.itemId, { ...link, url: null as string | null }]));
  for (const item of pending) {
    const pageId = pairing.pageOfItem.get(item.itemId);
    if (item.reason === BACKLINK_PENDING && pageId !== undefined && !excluded.has(item.itemId))
      byItem.set(item.itemId, { itemId: item.itemId, pageId, url: null });
  }
  return [...byItem.values()];
}

/** A page's address from the profile's site URL (bulk reads carry no base URL). */
function pageUrl(profile: PagesProfile, page: ConfluencePage | undefined): string | null {
  const site = profile.confluence.siteUrl;
  if (site === undefined || page?.webui === undefined) return null;
  return `${site.replace(/\/+$/, "")}/wiki${page.webui}`;
}

/** Pages without a link adopted by `matchBy` (docs/pages-mode.md §3): the pairing with them added. */
function adopt(
  profile: PagesProfile,
  rules: SyncRules,
  codecs: FieldCodecs,
  setup: PagesSetup,
  found: {
    readonly pairing: Pairing;
    readonly read: ReadonlyMap<string, ConfluencePage>;
    readonly considered: ReadonlySet<string>;
    readonly sharePointById: ReadonlyMap<string, SharePointItem>;
    readonly links: ReadonlyMap<string, ItemLink>;
    readonly extras: ReadonlyMap<string, ItemExtras>;
  },
): { pairing: Pairing; ambiguous: { itemIds: string[]; pageIds: string[] }[] } {
  const { pairing } = found;
  const key = rules.matchBy;
  if (key === null || pairing.unlinked.length === 0) return { pairing, ambiguous: [] };
  const keyOf = (reading: { ok: boolean; value?: unknown; hash?: string } | undefined): string | null =>
    reading?.ok === true && reading.value !== null && reading.hash !== undefined ? reading.hash : null;
  const pages = pairing.unlinked.flatMap((pageId) => {
    const page = found.read.get(pageId);
    if (page === undefined) return [];
    const block = readBlock(profile, codecs, setup, page);
    return block.ok ? [{ id: pageId, key: keyOf(block.reading.fields[key]) }] : [];
  });
  const items = [...found.considered].flatMap((itemId) => {
    const item = found.sharePointById.get(itemId);
    const link = found.links.get(itemId);
    if (item === undefined || pairing.pageOfItem.has(itemId) || pairing.goneOfItem.has(itemId)) return [];
    if (link?.phase === "linked" || found.extras.get(itemId)?.pageId.kind !== "none") return [];
    return [{ id: itemId, key: keyOf(itemReading(item, codecs).fields[key]) }];
  });
  const matched = adoptByNaturalKey(pages, items);
  if (matched.pairs.length === 0) return { pairing, ambiguous: matched.ambiguous };
  const adopted = new Set(matched.pairs.map((pair) => pair.pageId));
  const now = pairing.links[0]?.updatedAt ?? new Date(0).toISOString();
  return {
    pairing: {
      ...pairing,
      pageOfItem: new Map([...pairing.pageOfItem, ...matched.pairs.map((pair) => [pair.itemId, pair.pageId] as const)]),
      unlinked: pairing.unlinked.filter((pageId) => !adopted.has(pageId)),
      records: [
        ...pairing.records.filter((record) => !adopted.has(record.pageId)),
        ...matched.pairs.map(
          (pair): PageRecord => ({
            pageId: pair.pageId,
            role: "item",
            itemId: pair.itemId,
            seenVersion: 0,
            updatedAt: now,
          }),
        ),
      ],
      links: [
        ...pairing.links,
        ...matched.pairs.map(
          (pair): ItemLink => ({ itemId: pair.itemId, pageId: pair.pageId, phase: "linked", updatedAt: now }),
        ),
      ],
      propertyWrites: new Set([...pairing.propertyWrites, ...adopted]),
      backlinks: [...pairing.backlinks, ...matched.pairs],
    },
    ambiguous: matched.ambiguous,
  };
}
