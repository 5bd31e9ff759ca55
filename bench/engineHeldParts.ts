import { tableProfile } from "../shared/config";
import { codecsFor } from "../shared/engine/codecInputs";
import { readManagedPage } from "../shared/engine/managedPage";
import type { BenchHost } from "./benchHost";
import type { RunMeter } from "./runMeter";

/** What one of the two things every run of the engine reads in full holds, and how long reading it takes. */
export interface HeldPart {
  /** Heap held, bytes. */
  bytes: number;
  /** Milliseconds to read it (and, for the page, parse it and read every row). */
  ms: number;
}

export interface EngineHeldParts {
  /** Every stored item state of the profile, as `prepareRun` loads it. */
  stateRows: HeldPart;
  /** The page as the engine reads it: the storage string, its parsed table and every row read by the codecs. */
  page: HeldPart;
}

/**
 * Splits what an idle run holds into its two full reads, each measured on its own with the engine's own code: the
 * state rows (`ItemStateStore.load`) and the managed page (`readManagedPage`). What is left of an idle run's figure
 * is the plan and the run's smaller parts.
 */
export async function engineHeldParts(host: BenchHost, meter: RunMeter, profileKey: string): Promise<EngineHeldParts> {
  const { services } = host.engine;
  const profile = host.profile(profileKey);
  const stateRows = await meter.heldBy(() => services.state.items.load(profileKey));
  const { sharePoint, confluence } = await host.clients(profileKey);
  const directory = await services.directory.get(profile, sharePoint);
  const codecs = codecsFor(profile, { ...directory, samples: {}, siteTimeZone: profile.sharePoint.timeZone ?? "UTC" });
  if (!codecs.ok) throw codecs.errors[0];
  const page = await meter.heldBy(async () => {
    const read = await confluence.getPage(tableProfile(profile).confluence.target.pageId, { storage: true });
    return { read, managed: readManagedPage(profile, read.storage ?? "", codecs.codecs) };
  });
  return { stateRows: { bytes: stateRows.bytes, ms: stateRows.ms }, page: { bytes: page.bytes, ms: page.ms } };
}
