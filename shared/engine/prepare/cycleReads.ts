import { type Profile, tableProfile } from "../../config/profile";
import type { ConfluenceClient, ConfluencePage } from "../../confluence";
import type { SharePointItem } from "../../sharepoint/listItem";
import type { SharePointClient } from "../../sharepoint/sharePointClient";
import type { PairDigests } from "../../state/pairDigestIndex";
import type { SyncCursor } from "../../state/syncCursorStore";
import { type CodecInputs, selectedFieldKeys } from "../codecInputs";
import type { EngineServices } from "../engineServices";
import type { ListDirectory } from "../listDirectoryCache";
import { quietFingerprint } from "../quietRun";
import type { StepReporter } from "../run/activityProgress";
import {
  type ChangeSummary,
  changeSummary,
  fieldSamples,
  readSharePointChanges,
  type SharePointChanges,
} from "../sharePointChanges";

/** What a cycle read of both sides, before it decodes anything. */
export interface CycleReads {
  readonly directory: ListDirectory;
  readonly page: ConfluencePage;
  /** The stored cursor and its row version; undefined on a first run. */
  readonly cursor: { readonly cursor: SyncCursor; readonly version: string } | undefined;
  /** The `$select` the delta was read with (a stored link opened with another one is not reused). */
  readonly select: readonly string[];
  readonly changes: ChangeSummary;
  /**
   * The items the delta reported, handed out once: on a first sync they are the whole list, and the cycle lets them go
   * once they are read through the codecs.
   */
  readonly takeChangedItems: () => readonly SharePointItem[];
  readonly samples: Readonly<Record<string, unknown>>;
  readonly codecInputs: CodecInputs;
  /**
   * True when nothing can have changed since a run that planned nothing (see quietRun.ts): the same page version, an
   * empty delta, the same profile and codec inputs. The cycle then ends without loading the state.
   */
  readonly quiet: boolean;
  /**
   * The profile's pair digest index (undefined: none usable); reading began alongside the delta read unless the run
   * may turn out quiet. Handed out once: the caller holds it only while it picks the states to load.
   */
  readonly takeDigests: () => Promise<PairDigests | undefined>;
}

/**
 * Reads the list directory, the page and the cursor at once, then the SharePoint changes since the stored delta link.
 * The pair digest index loads alongside the delta read, unless the page is as a quiet run left it: then the run may
 * well need no state at all.
 */
export async function readCycle(
  services: EngineServices,
  profile: Profile,
  clients: { readonly sharePoint: SharePointClient; readonly confluence: ConfluenceClient },
  options: { readonly dryRun: boolean; readonly report?: StepReporter },
): Promise<CycleReads> {
  options.report?.({ kind: "readingConfluence", of: "page" });
  const [directory, page, cursor] = await Promise.all([
    services.directory.get(profile, clients.sharePoint),
    clients.confluence.getPage(tableProfile(profile).confluence.target.pageId, { storage: true }),
    services.state.cursors.get(profile.key),
  ]);
  const gate = profile.gates.sharePoint;
  const select = [...selectedFieldKeys(profile, directory.columns), ...(gate === undefined ? [] : [gate])].sort();
  const storedLink =
    cursor !== undefined && sameSelect(cursor.cursor.select, select) ? cursor.cursor.deltaLink : undefined;
  const quietMark =
    !options.dryRun && storedLink !== undefined && cursor?.cursor.quiet?.pageVersion === page.version.number
      ? cursor.cursor.quiet
      : undefined;
  const loadDigests = () => services.state.items.digests(profile.key);
  let digestsLoad = quietMark ? undefined : loadDigests();
  void digestsLoad?.catch(() => undefined); // awaited by the caller; a failed delta read must not leave it unhandled
  const changes = await readSharePointChanges(clients.sharePoint, storedLink, select, options.report);
  const samples = fieldSamples(profile, directory.columns, changes.changed, cursor?.cursor.fieldSamples ?? {});
  const codecInputs: CodecInputs = { ...directory, samples, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" };
  const quiet =
    quietMark !== undefined && isQuietRead(changes) && quietFingerprint(profile, codecInputs) === quietMark.inputs;
  let changedItems: readonly SharePointItem[] = changes.changed;
  return {
    directory,
    page,
    cursor,
    select,
    changes: changeSummary(changes),
    takeChangedItems: () => {
      const taken = changedItems;
      changedItems = [];
      return taken;
    },
    samples,
    codecInputs,
    quiet,
    takeDigests: () => {
      const taken = digestsLoad ?? loadDigests();
      digestsLoad = undefined;
      return taken;
    },
  };
}

function sameSelect(stored: readonly string[] | undefined, select: readonly string[]): boolean {
  return stored !== undefined && stored.length === select.length && stored.every((key, index) => key === select[index]);
}

/** A delta round (not a full enumeration) that reported no item changed or deleted. */
function isQuietRead(changes: SharePointChanges): boolean {
  return changes.mode.kind !== "full" && changes.changed.length === 0 && changes.deletedIds.length === 0;
}
