import { afterEach } from "vitest";
import {
  type EmulatorCertificate,
  generateEmulatorCertificate,
  trustCertificateInProcess,
} from "../../dev/emulators/common/tls";
import { type ConfluenceEmulator, startConfluenceEmulator } from "../../dev/emulators/confluence/confluenceEmulator";
import type { ConfluenceSeedInput } from "../../dev/emulators/confluence/confluenceSeed";

import {
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_CLOUD_ID,
  TEST_REFRESH_TOKEN,
  TEST_SITE_URL,
} from "./confluenceSiteValues";

export { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_CLOUD_ID, TEST_REFRESH_TOKEN, TEST_SITE_URL };

export const TABLE_PAGE_BODY =
  "<p>Team roster&nbsp;(synced)</p><table><tbody><tr><th>ID</th><th>Name</th></tr><tr><td>1</td><td>Ada</td></tr></tbody></table>";

export function testSeed(overrides: Partial<ConfluenceSeedInput> = {}): ConfluenceSeedInput {
  return {
    cloudId: TEST_CLOUD_ID,
    siteUrl: TEST_SITE_URL,
    oauth: { clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, refreshTokens: [TEST_REFRESH_TOKEN] },
    spaces: [{ id: "65538", key: "TEAM", name: "Team space", homepageId: "98305" }],
    pages: [
      { id: "98305", spaceId: "65538", title: "Team home", body: "<p>Welcome</p>", labels: ["home"] },
      {
        id: "98306",
        spaceId: "65538",
        parentId: "98305",
        title: "Roster",
        body: TABLE_PAGE_BODY,
        version: 3,
        labels: ["sync-managed"],
      },
    ],
    ...overrides,
  };
}

let certificate: Promise<EmulatorCertificate> | undefined;

/** Starts the emulator over HTTPS with a certificate this process trusts (one certificate per test file). */
export async function startTestConfluence(seed: ConfluenceSeedInput = testSeed()): Promise<ConfluenceEmulator> {
  certificate ??= generateEmulatorCertificate().then((c) => {
    trustCertificateInProcess(c.cert);
    return c;
  });
  return startConfluenceEmulator(seed, { certificate: await certificate });
}

/** `count` pages in space 65538 under the home page, titled `Item 0001…`. */
export function manyPages(count: number, firstId = 200_000): NonNullable<ConfluenceSeedInput["pages"]> {
  return Array.from({ length: count }, (_, i) => ({
    id: String(firstId + i),
    spaceId: "65538",
    parentId: "98305",
    title: `Item ${String(i + 1).padStart(4, "0")}`,
    body: `<p>item ${i + 1}</p>`,
  }));
}

/**
 * For a test file: returns `start(seed?)`, which starts a fresh emulator for the calling test; the emulator is closed
 * after that test.
 */
export function emulatorPerTest(): (seed?: ConfluenceSeedInput) => Promise<ConfluenceEmulator> {
  let current: ConfluenceEmulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (seed = testSeed()) => (current = await startTestConfluence(seed));
}

/**
 * A stored body without the local ids Confluence adds on save (the emulator's default normaliser): for assertions
 * about what a body says rather than which ids it was given.
 */
export function withoutLocalIds(body: string): string {
  return body.replace(/\s(?:ac:)?local-id="[^"]*"/g, "");
}
