import type { PagesProfile } from "../../config/profile";
import {
  type ConfluenceClient,
  ConfluenceErrorCode,
  type ConfluencePage,
  isConfluenceError,
  PageVersionConflict,
} from "../../confluence";
import { type FieldCodecs, parseStorage } from "../../mapping";
import { type PlaceholderCell, patchPageBlock, selectPageBlock } from "../../mapping/keyValueBlock";
import { withoutLocalIds } from "../../mapping/localIds";
import type { CanonicalValue } from "../../sync";
import { stagedCodecs } from "../codecInputs";
import type { EngineServices } from "../engineServices";
import { isTransientFailure, permanentProblem } from "../failures";
import { syncVersionMessage } from "../managedPage";
import type { ApplyPageWriteInput, ApplyPageWriteResult } from "../run/runContract";
import { linkPropertyValue, propertyReading } from "./pagePairing";
import {
  type PageJob,
  type PageJobOutcome,
  type PageJobsContext,
  PagesStagedRun,
  type RejectedPageCell,
} from "./pagesStage";
import { blockedUntil, quotaStop } from "./pointsBudget";

/**
 * One page job of a pages-mode run (docs/pages-mode.md §9): an update (version n + 1 with the run id in its message),
 * a trash, or a create by the exactly-once protocol (docs/pages-mode.md §6). Its outcome is staged; a retry that finds
 * it answers from it, and a create retried after it may have gone out looks for its page before creating another.
 */
export async function applyPageWrite(
  services: EngineServices,
  input: ApplyPageWriteInput,
): Promise<ApplyPageWriteResult> {
  const now = () => new Date(services.clock.now()).toISOString();
  const pages = new PagesStagedRun(services.state.staging, input, now);
  const previous = await pages.progress(input.jobId);
  if (previous?.kind === "done") return { jobId: input.jobId, outcome: previous.outcome.kind };
  const [job, context] = await Promise.all([pages.job(input.jobId), pages.jobsContext()]);
  const profile = context.profile;
  const codecs = stagedCodecs(profile, context.codecInputs);
  const client = await services.connections.confluence(profile);
  const write = new PageWriter(services, client, profile, codecs, context, input.runId);
  let outcome: PageJobOutcome;
  try {
    if (job.kind === "update") outcome = await write.update(job);
    else if (job.kind === "trash") outcome = await write.trash(job);
    else
      outcome = await write.create(job, previous?.kind === "sending", () =>
        pages.putProgress(job.jobId, { kind: "sending" }),
      );
  } catch (error) {
    const stop = quotaStop(error);
    if (stop !== undefined)
      outcome = {
        kind: "deferred",
        itemId: job.itemId,
        pageId: pageIdOf(job),
        reason: stop.message,
        until: blockedUntil(services.clock.now(), stop.retryAfterMs),
      };
    else {
      if (isTransientFailure(error)) throw error;
      const problem = permanentProblem(error);
      if (problem === undefined) throw error;
      outcome = { kind: "failed", itemId: job.itemId, pageId: pageIdOf(job), problem };
    }
  }
  await pages.putProgress(input.jobId, {
    kind: "done",
    outcome,
    apiCalls: { graph: 0, confluence: client.requestCount },
    points: client.pointsSpent,
  });
  return { jobId: input.jobId, outcome: outcome.kind };
}

function pageIdOf(job: PageJob): string | null {
  return job.kind === "create" ? null : job.pageId;
}

/** Writes of one job, with the profile and run they belong to. */
class PageWriter {
  constructor(
    private readonly services: EngineServices,
    private readonly client: ConfluenceClient,
    private readonly profile: PagesProfile,
    private readonly codecs: FieldCodecs,
    private readonly context: PageJobsContext,
    private readonly runId: string,
  ) {}

  get #placeholders(): Map<string, PlaceholderCell> {
    return new Map(Object.entries(this.context.setup.placeholders));
  }

  async update(job: Extract<PageJob, { kind: "update" }>): Promise<PageJobOutcome> {
    if (job.writeProperty) {
      const linked = await this.#ensureProperty(job.pageId, job.itemId);
      if (!linked.ok) return { kind: "failed", itemId: job.itemId, pageId: job.pageId, problem: linked.problem };
    }
    const patched = this.#patch(job.pageId, job.storage, job.values);
    if (!patched.ok) return { kind: "failed", itemId: job.itemId, pageId: job.pageId, problem: patched.problem };
    if (patched.storage === job.storage)
      return {
        kind: "written",
        itemId: job.itemId,
        pageId: job.pageId,
        version: job.version,
        rejected: patched.rejected,
      };
    const saved = await this.#save(job.pageId, job.title, job.version, patched.storage);
    if (saved.kind !== "saved") return { kind: saved.kind, itemId: job.itemId, pageId: job.pageId };
    return {
      kind: "written",
      itemId: job.itemId,
      pageId: job.pageId,
      version: saved.version,
      rejected: patched.rejected,
    };
  }

  async trash(job: Extract<PageJob, { kind: "trash" }>): Promise<PageJobOutcome> {
    try {
      await this.client.deletePage(job.pageId);
    } catch (error) {
      // Already in the trash (a retried delete, or a person was first): the outcome is the same.
      if (!isConfluenceError(error) || error.status !== 404) throw error;
    }
    return { kind: "trashed", itemId: job.itemId, pageId: job.pageId };
  }

  /**
   * The create protocol (docs/pages-mode.md §6): look for the page an earlier attempt may have made, else mark the
   * job `sending` and create it; an answer that may hide a created page (a 5xx, no answer, "title already exists")
   * looks again before anything else; then the link property, then the link rows.
   */
  async create(
    job: Extract<PageJob, { kind: "create" }>,
    retried: boolean,
    markSending: () => Promise<void>,
  ): Promise<PageJobOutcome> {
    const target = this.profile.confluence.target;
    const template = this.context.template;
    const spaceId = this.context.setup.spaceId;
    if (template === undefined)
      throw new Error(`profile "${this.profile.key}": a create was staged without the template or the space`);
    const body = this.#patch(target.templatePageId, template.storage, job.values);
    if (!body.ok) return { kind: "failed", itemId: job.itemId, pageId: null, problem: body.problem };

    let page: ConfluencePage | undefined;
    let adopted = false;
    // An earlier attempt (this activity retried, or an earlier run's announced create) may have made the page.
    const earlier = retried || job.lookupTitles.length > 0;
    if (earlier) {
      page = await this.#findOwnPage(spaceId, [job.title, job.collisionTitle, ...job.lookupTitles], job, true);
      adopted = page !== undefined;
    }
    let title = job.title;
    for (let attempt = 0; page === undefined; attempt += 1) {
      await markSending();
      try {
        page = await this.client.createPage({
          spaceId,
          parentId: target.parentPageId,
          title,
          // The template's local ids are the template's: the new page's elements get their own.
          storage: withoutLocalIds(body.storage),
        });
      } catch (error) {
        const duplicate =
          isConfluenceError(error, ConfluenceErrorCode.BadRequest) && /already exists/i.test(error.message);
        const uncertain =
          !duplicate && (isTransientFailure(error) || (isConfluenceError(error) && (error.status ?? 0) >= 500));
        if (!duplicate && !uncertain) throw error;
        // The page may be ours (a create that landed and still failed, or an earlier attempt): look before anything else.
        page = await this.#findOwnPage(spaceId, [title], job, earlier || uncertain);
        adopted = page !== undefined;
        if (page !== undefined) break;
        if (uncertain) throw error;
        // The title is held by another item's page, or by a page the app cannot see: the collision title, once.
        if (attempt > 0 || title === job.collisionTitle)
          return {
            kind: "failed",
            itemId: job.itemId,
            pageId: null,
            problem: {
              code: "PAGE_TITLE_TAKEN",
              message: `no page for item ${job.itemId}: the titles "${job.title}" and "${job.collisionTitle}" are both taken in the space (perhaps by pages the app cannot see)`,
            },
          };
        title = job.collisionTitle;
        page = await this.#findOwnPage(spaceId, [title], job, earlier);
        adopted = page !== undefined;
      }
    }

    const linked = await this.#ensureProperty(page.id, job.itemId);
    if (!linked.ok) return { kind: "failed", itemId: job.itemId, pageId: page.id, problem: linked.problem };
    let version = page.version.number;
    let rejected = body.rejected;
    if (adopted) {
      // A page an earlier attempt made holds that attempt's values: bring them to this run's, whose bases commit.
      const current = await this.client.getPage(page.id, { storage: true });
      const patched = this.#patch(page.id, current.storage ?? "", job.values);
      if (!patched.ok) return { kind: "failed", itemId: job.itemId, pageId: page.id, problem: patched.problem };
      rejected = patched.rejected;
      if (patched.storage !== current.storage) {
        const saved = await this.#save(page.id, current.title, current.version.number, patched.storage);
        if (saved.kind !== "saved") return { kind: saved.kind, itemId: job.itemId, pageId: page.id };
        version = saved.version;
      } else version = current.version.number;
    }
    const at = new Date(this.services.clock.now()).toISOString();
    // The link rows before anything else can lose track of the page: from here on the sync knows it by id.
    await this.services.state.pageLinks.putPages(this.profile.key, [
      { pageId: page.id, role: "item", itemId: job.itemId, seenVersion: version, updatedAt: at },
    ]);
    await this.services.state.pageLinks.putItems(this.profile.key, [
      { itemId: job.itemId, pageId: page.id, phase: "linked", updatedAt: at },
    ]);
    return {
      kind: "created",
      itemId: job.itemId,
      pageId: page.id,
      version,
      title: page.title,
      url: this.#url(page),
      adopted,
      rejected,
    };
  }

  /**
   * This item's page among the pages with these titles under the parent: one carrying our link for the item; or, when
   * an attempt of ours may have created it (`mayBeOurs`), one with no link at all that is still as created (version
   * 1) or holds exactly the values we write: a create that landed before its property was written. A page without a
   * link that someone else made is never taken this way (docs/pages-mode.md §6).
   */
  async #findOwnPage(
    spaceId: string,
    titles: readonly string[],
    job: Extract<PageJob, { kind: "create" }>,
    mayBeOurs: boolean,
  ): Promise<ConfluencePage | undefined> {
    const target = this.profile.confluence.target;
    const owner = { profile: this.profile.key, listId: this.profile.sharePoint.listId };
    for (const title of new Set(titles)) {
      for await (const page of this.client.listPages({
        spaceId,
        title,
        status: ["current"],
        limit: 25,
        storage: true,
      })) {
        if (target.scope === "children" && page.parentId !== target.parentPageId) continue;
        const property = await this.client.getProperty(page.id, target.linkProperty);
        const claim = propertyReading(property?.value, owner);
        if (claim.kind === "ours" && claim.itemId === job.itemId) return page;
        if (claim.kind !== "none" || !mayBeOurs) continue;
        if (page.version.number === 1) return page;
        const patched = this.#patch(page.id, page.storage ?? "", job.values);
        if (patched.ok && patched.storage === page.storage) return page;
      }
    }
    return undefined;
  }

  /** Writes our link property; a 409 means one exists: fine if it is ours for this item. */
  async #ensureProperty(
    pageId: string,
    itemId: string,
  ): Promise<{ ok: true } | { ok: false; problem: { code: string; message: string } }> {
    const key = this.profile.confluence.target.linkProperty;
    const owner = { profile: this.profile.key, listId: this.profile.sharePoint.listId };
    try {
      await this.client.createProperty(pageId, key, linkPropertyValue(owner, itemId));
      return { ok: true };
    } catch (error) {
      if (!isConfluenceError(error, ConfluenceErrorCode.Conflict)) throw error;
    }
    const existing = await this.client.getProperty(pageId, key);
    const claim = propertyReading(existing?.value, owner);
    if (claim.kind === "ours" && claim.itemId === itemId) return { ok: true };
    return {
      ok: false,
      problem: {
        code: "PAGE_LINKED_ELSEWHERE",
        message: `page ${pageId} already carries a link (property "${key}") that is not item ${itemId}'s; it is left alone`,
      },
    };
  }

  #patch(
    pageId: string,
    storage: string,
    values: Readonly<Record<string, CanonicalValue>>,
  ):
    | { ok: true; storage: string; rejected: RejectedPageCell[] }
    | { ok: false; problem: { code: string; message: string } } {
    const parsed = parseStorage(storage, { pageId });
    if (!parsed.ok) return { ok: false, problem: { code: parsed.error.code, message: parsed.error.message } };
    const block = selectPageBlock(parsed.document, this.profile.confluence.target.block, this.codecs, {
      gateKey: this.profile.gates.confluence,
    });
    if (!block.ok)
      return {
        ok: false,
        problem: {
          code: block.errors[0]?.code ?? "BLOCK_NOT_FOUND",
          message: block.errors.map((error) => error.message).join("; "),
        },
      };
    const patched = patchPageBlock(block.block, values, this.#placeholders);
    if (!patched.ok) return { ok: false, problem: { code: patched.error.code, message: patched.error.message } };
    return {
      ok: true,
      storage: patched.storage,
      rejected: patched.rejected.map((cell) => ({
        field: cell.field,
        code: cell.error.code,
        message: cell.error.message,
      })),
    };
  }

  /** PUTs version n + 1; a 409 whose version n + 1 is this run's own (a retried activity) counts as saved. */
  async #save(
    pageId: string,
    title: string,
    version: number,
    storage: string,
  ): Promise<{ kind: "saved"; version: number } | { kind: "versionConflict" } | { kind: "gone" }> {
    const message = syncVersionMessage(this.runId);
    try {
      const saved = await this.client.updatePage({ id: pageId, title, storage, version: version + 1, message });
      return { kind: "saved", version: saved.version.number };
    } catch (error) {
      if (isConfluenceError(error) && error.status === 404) return { kind: "gone" };
      if (!(error instanceof PageVersionConflict)) throw error;
      const ours = await this.client
        .getPage(pageId, { version: version + 1, storage: false })
        .catch((lookup: unknown) => {
          if (isConfluenceError(lookup) && lookup.status === 404) return undefined;
          throw lookup;
        });
      if (ours?.version.message === message) return { kind: "saved", version: version + 1 };
      return { kind: "versionConflict" };
    }
  }

  #url(page: ConfluencePage): string | null {
    const base =
      page.base ??
      (this.profile.confluence.siteUrl === undefined
        ? undefined
        : `${this.profile.confluence.siteUrl.replace(/\/+$/, "")}/wiki`);
    return base === undefined || page.webui === undefined ? null : `${base}${page.webui}`;
  }
}
