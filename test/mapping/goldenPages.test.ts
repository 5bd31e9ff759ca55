import path from "node:path";
import { describe, expect, it } from "vitest";
import { inspectPage } from "../../shared/mapping";
import { fixtureNames, fixturesDir, parsed, readFixture } from "./fixtures";

describe("golden pages: every storage fixture reads as reviewed", () => {
  for (const name of fixtureNames()) {
    it(name, async () => {
      const inspection = inspectPage(parsed(readFixture(name), name.replace(/\.xml$/, "")));
      await expect(`${JSON.stringify(inspection, null, 2)}\n`).toMatchFileSnapshot(
        path.join(fixturesDir, "golden", name.replace(/\.xml$/, ".inspection.json")),
      );
    });
  }
});
