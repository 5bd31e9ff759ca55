import { createServer } from "node:net";

/** What a person's browser ended on: the last address it was sent to and what that answered. */
export interface ConsentLanding {
  /** The address the last redirect pointed at (the app's callback, with `code` and `state`, or `error`). */
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

/**
 * A person in a browser, played with plain HTTP (so CI, which has no browser, covers the same flow): follows the
 * redirects from `start`, answers the emulator's consent screen by posting its form (Accept or Cancel, the site picked),
 * and stops at the first address whose origin is `stopAt` without loading it (the caller serves that one itself), or
 * loads the final address and returns its answer.
 */
export async function consentByHttp(
  start: string,
  options: { decision?: "accept" | "cancel"; site?: string; stopAt?: string } = {},
): Promise<ConsentLanding> {
  let url = start;
  let init: RequestInit = { redirect: "manual" };
  for (let hops = 0; hops < 10; hops += 1) {
    if (options.stopAt !== undefined && new URL(url).origin === options.stopAt) return { url, status: 0, body: "" };
    const response = await fetch(url, init);
    const body = await response.text();
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url).toString();
      init = { redirect: "manual" };
      continue;
    }
    const form = /<form method="post" action="([^"]+)">/.exec(body);
    const consent = /name="consent" value="([^"]+)"/.exec(body);
    if (form === null || consent === null) return { url, status: response.status, body };
    const firstSite = /<option value="([^"]+)"/.exec(body)?.[1] ?? "";
    url = new URL(form[1]!, url).toString();
    init = {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        consent: consent[1]!,
        site: options.site ?? firstSite,
        decision: options.decision ?? "accept",
      }).toString(),
    };
  }
  throw new Error(`more than 10 redirects from ${start}`);
}

/** A loopback port nothing listens on now (for a callback URL registered before the listener starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
