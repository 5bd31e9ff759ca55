import { type Profile, tableProfile } from "../../config/profile";
import type { ConfluenceClient, ConfluencePage } from "../../confluence";
import type { SharePointClient } from "../../sharepoint/sharePointClient";
import type { LoadedItemStates } from "../../state/itemStateStore";
import type { SyncCursor } from "../../state/syncCursorStore";
import { type CodecInputs, selectedFieldKeys } from "../codecInputs";
import type { EngineServices } from "../engineServices";
import type { ListDirectory } from "../listDirectoryCache";
import { quietFingerprint } from "../quietRun";
import { fieldSamples, readSharePointChanges, type SharePointChanges } from "../sharePointChanges";

/** What a cycle read of both sides, before it decodes anything. */
export interface CycleReads {
  readonly directory: ListDirectory;
  readonly page: ConfluencePage;
  /** The stored cursor and its row version; undefined on a first run. */
  readonly cursor: { readonly cursor: SyncCursor; readonly version: string } | undefined;
  /** The `$select` the delta was read with (a stored link opened with another one is not reused). */
  readonly select: readonly string[];
  readonly changes: SharePointChanges;
  readonly samples: Readonly<Record<string, unknown>>;
  readonly codecInputs: CodecInputs;
  /**
   * True when nothing can have changed since a run that planned nothing (see quietRun.ts): the same page version, an
   * empty delta, the same profile and codec inputs. The cycle then ends without loading the state.
   */
  readonly quiet: boolean;
  /** The profile's state rows; loading began alongside the delta read unless the run may turn out quiet. */
  readonly state: () => Promise<LoadedItemStates>;
}

/**
 * Reads the list directory, the page and the cursor at once, then the SharePoint changes since the stored delta link.
 * The state rows load alongside the delta read, unless the page is as a quiet run left it: then the run may well need
 * none of them.
 */
export async function readCycle(
  services: EngineServices,
  profile: Profile,
  clients: { readonly sharePoint: SharePointClient; readonly confluence: ConfluenceClient },
  options: { readonly dryRun: boolean },
): Promise<CycleReads> {
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
  const loadState = () => services.state.items.load(profile.key);
  const stateLoad = quietMark ? undefined : loadState();
  void stateLoad?.catch(() => undefined); // awaited by the caller; a failed delta read must not leave it unhandled
  const changes = await readSharePointChanges(clients.sharePoint, storedLink, select);
  const samples = fieldSamples(profile, directory.columns, changes.changed, cursor?.cursor.fieldSamples ?? {});
  const codecInputs: CodecInputs = { ...directory, samples, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" };
  const quiet =
    quietMark !== undefined && isQuietRead(changes) && quietFingerprint(profile, codecInputs) === quietMark.inputs;
  return {
    directory,
    page,
    cursor,
    select,
    changes,
    samples,
    codecInputs,
    quiet,
    state: () => stateLoad ?? loadState(),
  };
}

function sameSelect(stored: readonly string[] | undefined, select: readonly string[]): boolean {
  return stored !== undefined && stored.length === select.length && stored.every((key, index) => key === select[index]);
}

/** A delta round (not a full enumeration) that reported no item changed or deleted. */
function isQuietRead(changes: SharePointChanges): boolean {
  return changes.mode.kind !== "full" && changes.changed.length === 0 && changes.deletedIds.length === 0;
}
