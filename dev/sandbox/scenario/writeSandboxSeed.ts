import { writeFileSync } from "node:fs";
import path from "node:path";
import { sandboxSeedJson } from "./sandboxSeed";

/**
 * `npm run sandbox:seed`: rewrites examples/sandbox.seed.json from the sandbox module (a test keeps the two equal).
 * Run from the compiled output: dist/dev/sandbox/scenario/ → the repository root is four levels up.
 */
const target = path.resolve(__dirname, "../../../../examples/sandbox.seed.json");
writeFileSync(target, sandboxSeedJson(), "utf8");
process.stdout.write(`wrote ${target}\n`);
