import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Command } from "commander";
import { openLocalEngine } from "../../dev/localHost/localEngine";
import {
  authorizeUrl,
  ConsentRefused,
  type ConsentStored,
  completeConsent,
  consentClientId,
} from "../../shared/engine/confluenceConsent";
import { globalRedactor } from "../../shared/runtime";
import { CliError, type CliIo, printResult } from "../cliContext";
import { commandGroup } from "../commandGroup";
import { withConfigServices } from "../withConfigServices";

/** The loopback callback the CLI listens on unless told otherwise; register it as the Atlassian app's callback URL. */
export const DEFAULT_CLI_REDIRECT_URI = "http://localhost:8765/callback";

interface ConnectOptions {
  redirectUri: string;
  open: boolean;
  paste?: boolean;
  timeout: string;
  json?: boolean;
}

/**
 * `confluence-sync connect confluence <profileKey> [--redirect-uri <uri>] [--no-open] [--paste] [--timeout <s>]
 * [--json]`: the whole consent in one command (docs/operations.md#connecting-a-profile-to-confluence). Prints (and
 * opens) the authorize URL with `offline_access` and the scopes the profile needs, receives the code on the loopback
 * callback (or takes the pasted redirect address), checks `state`, exchanges the code, verifies the site and scopes,
 * and stores the refresh token through the token manager. Nothing is stored on any refusal.
 */
export function registerConnectConfluenceCommand(program: Command, io: CliIo): void {
  commandGroup(program, "connect")
    .command("confluence")
    .description("consent in the browser and store the profile's Confluence grant (reconnect a dead one the same way)")
    .argument("<profileKey>", "profile key")
    .option(
      "--redirect-uri <uri>",
      "the Atlassian app's callback URL; a http://localhost one is served here",
      DEFAULT_CLI_REDIRECT_URI,
    )
    .option("--no-open", "print the address only; do not open a browser")
    .option("--paste", "paste the address the browser was sent to, instead of listening on the callback")
    .option("--timeout <seconds>", "how long to wait for the consent", "300")
    .option("--json", "machine-readable output")
    .action(async (profileKey: string, options: ConnectOptions) => {
      const timeoutMs = Number(options.timeout) * 1000;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError("--timeout is a number of seconds");
      const redirect = parseRedirectUri(options.redirectUri);
      await withConfigServices(io, async (config) => {
        const { profile } = await config.profiles.get(profileKey);
        const engine = await openLocalEngine(config, {
          onEmbeddedStorage: (folder) => io.stderr(`using the local state store in ${folder}\n`),
        });
        try {
          const services = engine.services;
          const clientId = await refusalsAsCliErrors(() => consentClientId(services, profile));
          const state = randomBytes(32).toString("base64url");
          const url = authorizeUrl(services, profile, { clientId, redirectUri: redirect.uri, state });
          const complete = (code: string) =>
            refusalsAsCliErrors(() => completeConsent(services, profile, { code, redirectUri: redirect.uri }));
          const loopback = redirect.loopback && options.paste !== true;
          const waiting = loopback ? listenForCallback(redirect.url, state, complete, timeoutMs) : undefined;
          try {
            io.stderr(
              `Consent as a person who can edit the profile's page, in a browser${options.open ? " (opening it now)" : ""}:\n  ${url}\n`,
            );
            if (options.open) await openInBrowser(io, url);
            const stored = waiting ? await waiting.result : await pastedConsent(io, redirect.uri, state, complete);
            printResult(io, options.json ?? false, { ...stored, stored: true }, () => connectedText(stored));
          } finally {
            await waiting?.close();
          }
        } finally {
          await engine.close();
        }
      });
    });
}

function parseRedirectUri(uri: string): { uri: string; url: URL; loopback: boolean } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new CliError(`--redirect-uri "${uri}" is not an address`);
  }
  const loopback =
    url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) && url.port !== "";
  return { uri, url, loopback };
}

async function openInBrowser(io: CliIo, url: string): Promise<void> {
  try {
    if (io.openUrl) await io.openUrl(url);
    else await (await import("open")).default(url);
  } catch {
    io.stderr("(no browser could be opened here; open the address above yourself)\n");
  }
}

/** Whether `given` is the state we sent, in constant time. */
function sameState(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Serves the loopback callback until the consent with our state arrives (or the time is up). Requests without our
 * state are answered and ignored: anything on this machine can reach the port. The browser's page says what happened.
 */
function listenForCallback(
  url: URL,
  state: string,
  complete: (code: string) => Promise<ConsentStored>,
  timeoutMs: number,
): { result: Promise<ConsentStored>; close: () => Promise<void> } {
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  const result = new Promise<ConsentStored>((resolve, reject) => {
    let done = false;
    const finish = (outcome: { ok: true; stored: ConsentStored } | { ok: false; error: unknown }) => {
      if (done) return;
      done = true;
      if (outcome.ok) resolve(outcome.stored);
      else reject(outcome.error);
    };
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const asked = new URL(request.url ?? "/", url);
      if (request.method !== "GET" || asked.pathname !== url.pathname) return answer(response, 404, "Not found", "");
      if (done || !sameState(asked.searchParams.get("state"), state))
        return answer(response, 400, "Nothing was stored", "This is not the consent this command is waiting for.");
      const error = asked.searchParams.get("error");
      const code = asked.searchParams.get("code");
      if (error !== null || code === null) {
        const shown = error !== null && /^[a-z_]{1,40}$/.test(error) ? error : "no code";
        answer(response, 400, "Nothing was stored", `The consent was not given (${shown}).`);
        return finish({
          ok: false,
          error: new CliError(`CONSENT_DECLINED: the consent was not given (${shown}); nothing was stored`),
        });
      }
      globalRedactor.register(code);
      complete(code).then(
        (stored) => {
          answer(response, 200, "Connected", `${connectedText(stored)} You can close this page.`);
          finish({ ok: true, stored });
        },
        (failure: unknown) => {
          answer(response, 400, "Nothing was stored", failure instanceof Error ? failure.message : String(failure));
          finish({ ok: false, error: failure });
        },
      );
    });
    server.on("error", (error: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        error: new CliError(
          `cannot listen on ${url.host} for the callback (${error.code ?? error.message}); free the port, give another registered --redirect-uri, or use --paste`,
        ),
      }),
    );
    server.listen(Number(url.port), url.hostname === "[::1]" ? "::1" : url.hostname);
    timer = setTimeout(
      () =>
        finish({
          ok: false,
          error: new CliError(`no consent arrived within ${timeoutMs / 1000} s; nothing was stored`),
        }),
      timeoutMs,
    );
  });
  return {
    result,
    close: async () => {
      clearTimeout(timer);
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
    },
  };
}

/** The redirect address a person copies from the browser's address bar, checked like a callback. */
async function pastedConsent(
  io: CliIo,
  redirectUri: string,
  state: string,
  complete: (code: string) => Promise<ConsentStored>,
): Promise<ConsentStored> {
  if (!io.readLine) throw new CliError("nobody can paste the redirect address here; run the command in a terminal");
  const pasted = (await io.readLine("Paste the address your browser was sent to after the consent: ")).trim();
  let url: URL;
  try {
    url = new URL(pasted);
  } catch {
    throw new CliError("that is not an address; nothing was stored");
  }
  const expected = new URL(redirectUri);
  if (url.origin !== expected.origin || url.pathname !== expected.pathname)
    throw new CliError(`that address is not the callback ${redirectUri}; nothing was stored`);
  if (!sameState(url.searchParams.get("state"), state))
    throw new CliError("that address carries another consent's state; nothing was stored");
  const code = url.searchParams.get("code");
  if (code === null) throw new CliError("CONSENT_DECLINED: the consent was not given; nothing was stored");
  globalRedactor.register(code);
  return complete(code);
}

async function refusalsAsCliErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConsentRefused) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
}

function connectedText(stored: ConsentStored): string {
  return `Profile "${stored.profileKey}" is connected to ${stored.site.name} (${stored.site.url}, cloudId ${stored.site.cloudId}); granted: ${stored.scopes.join(", ")}. The refresh token is stored; the next run uses it.`;
}

function answer(response: ServerResponse, status: number, title: string, text: string): void {
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  response.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'",
    "X-Content-Type-Options": "nosniff",
  });
  response.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ConfluenceSync: ${escape(title)}</title></head>` +
      `<body><h1>${escape(title)}</h1><p>${escape(globalRedactor.redact(text))}</p></body></html>`,
  );
}
