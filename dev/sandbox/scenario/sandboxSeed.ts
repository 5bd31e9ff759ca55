import type { ConfluenceSeedInput } from "../../emulators/confluence/confluenceSeed";
import type { GraphSeedInput } from "../../emulators/graph/graphSeed";
import { sandboxConfluenceSeed } from "./sandboxConfluenceSeed";
import { sandboxGraphSeed } from "./sandboxGraphSeed";

/**
 * The whole sandbox as an emulator seed file (docs/emulators.md#seed-file); `examples/sandbox.seed.json` is this,
 * written out.
 */
export interface SandboxSeed {
  graph: GraphSeedInput;
  confluence: ConfluenceSeedInput;
}

export function sandboxSeed(): SandboxSeed {
  return { graph: sandboxGraphSeed(), confluence: sandboxConfluenceSeed() };
}

/** The seed file's text, as committed (two-space JSON, final newline). */
export function sandboxSeedJson(): string {
  return `${JSON.stringify(sandboxSeed(), null, 2)}\n`;
}
