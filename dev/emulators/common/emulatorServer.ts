import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { FaultInjector, type FaultSpec } from "./faultInjector";
import { RequestLog } from "./requestLog";
import type { EmulatorCertificate } from "./tls";

export interface EmulatorServerOptions {
  /** Shown in logs and errors. */
  name: string;
  /** Serve HTTPS with this certificate; plain HTTP when absent. */
  tls?: EmulatorCertificate;
  /** The service's own error body for an injected fault with this status (each service has its own envelope). */
  faultBody: (status: number, request: FastifyRequest) => unknown;
  /** Everything the emulator holds, in seed shapes, for `GET /_admin/state`. */
  state: () => unknown;
  /** Largest accepted request body; Confluence accepts 5 MB pages, so the default is generous. */
  bodyLimitBytes?: number;
}

/**
 * The plumbing every emulator shares: a Fastify server on loopback, the served-call log, fault injection and the
 * admin surface under `/_admin/` (`GET state`, `GET|DELETE requests`, `POST|GET|DELETE faults`). Each emulator
 * registers its service routes on `app` and its person-edit routes under `/_admin/`.
 *
 * Admin calls are neither logged nor subject to faults: tests count only the calls the app under test made.
 */
export class EmulatorServer {
  readonly app: FastifyInstance;
  readonly requestLog = new RequestLog();
  readonly faults = new FaultInjector();
  readonly #afterHandling = new WeakMap<FastifyRequest, FaultSpec>();
  readonly #options: EmulatorServerOptions;
  /** Log sequence numbers reserved by routes that serve sub-requests (see `reserveLogSeq`). */
  readonly #reservedSeq = new WeakMap<FastifyRequest, number>();
  #baseUrl: string | undefined;

  constructor(options: EmulatorServerOptions) {
    this.#options = options;
    this.app = Fastify({
      logger: false,
      bodyLimit: options.bodyLimitBytes ?? 10 * 1024 * 1024,
      // Graph ids contain commas and `$batch` has a `$`; keep paths verbatim.
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
      ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    }) as unknown as FastifyInstance;

    // Bodies are parsed leniently and validated by each route, so a malformed body gets the service's own error
    // envelope instead of Fastify's.
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

    this.app.addHook("onRequest", async (request, reply) => {
      if (isAdmin(request)) return;
      const fault = this.faults.take(request.method, pathOf(request));
      if (!fault) return;
      if (fault.afterHandling) {
        this.#afterHandling.set(request, fault);
        return;
      }
      await this.#inject(fault, request, reply);
    });
    // A fault that lets the request happen and then spoils its answer (a commit that still fails).
    this.app.addHook("onSend", async (request, reply, payload) => {
      const fault = this.#afterHandling.get(request);
      if (fault === undefined) return payload;
      this.#afterHandling.delete(request);
      if (fault.dropConnection) {
        request.raw.socket?.destroy();
        return payload;
      }
      if (fault.status === undefined) return payload;
      if (fault.retryAfter !== undefined) reply.header("Retry-After", String(fault.retryAfter));
      reply.code(fault.status).type("application/json");
      return JSON.stringify(fault.body ?? this.#options.faultBody(fault.status, request));
    });
    this.app.addHook("onResponse", async (request, reply) => {
      if (isAdmin(request)) return;
      const entry = {
        method: request.method,
        path: pathOf(request),
        query: queryOf(request),
        status: reply.statusCode,
      };
      const reserved = this.#reservedSeq.get(request);
      if (reserved === undefined) this.requestLog.record(entry);
      else this.requestLog.recordReserved(reserved, entry);
    });

    this.app.get("/_admin/state", async () => this.#options.state());
    this.app.get("/_admin/requests", async () => this.requestLog.entries());
    this.app.delete("/_admin/requests", async (_request, reply) => {
      this.requestLog.clear();
      return reply.code(204).send();
    });
    this.app.get("/_admin/faults", async () => this.faults.list());
    this.app.post("/_admin/faults", async (request, reply) => {
      try {
        return reply.code(201).send(this.faults.add(parseJsonBody(request)));
      } catch (error) {
        return reply.code(400).send({ error: "invalid fault", detail: String(error) });
      }
    });
    this.app.delete("/_admin/faults", async (_request, reply) => {
      this.faults.clear();
      return reply.code(204).send();
    });
  }

  /**
   * Gives `request` its log sequence number now, before its response is known, so the calls it serves inside itself
   * (Graph `$batch` sub-requests) can be logged with `parentSeq` pointing at it. The outer call is still logged once,
   * when its response is sent.
   */
  reserveLogSeq(request: FastifyRequest): number {
    const existing = this.#reservedSeq.get(request);
    if (existing !== undefined) return existing;
    const seq = this.requestLog.reserve();
    this.#reservedSeq.set(request, seq);
    return seq;
  }

  async #inject(fault: FaultSpec, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.dropConnection) {
      // Nothing is handled and nothing answered.
      reply.hijack();
      request.raw.socket?.destroy();
      return;
    }
    if (fault.status === undefined) return;
    if (fault.retryAfter !== undefined) reply.header("Retry-After", String(fault.retryAfter));
    await reply
      .code(fault.status)
      .type("application/json")
      .send(JSON.stringify(fault.body ?? this.#options.faultBody(fault.status, request)));
  }

  /** Starts listening on 127.0.0.1 (port 0 = any free port) and returns the origin, e.g. `https://127.0.0.1:51234`. */
  async listen(port = 0): Promise<string> {
    await this.app.listen({ host: "127.0.0.1", port });
    const address = this.app.server.address() as AddressInfo;
    // `localhost` rather than the IP: the certificate covers both, and the Graph SDK matches custom hosts by name.
    this.#baseUrl = `${this.#options.tls ? "https" : "http"}://localhost:${address.port}`;
    return this.#baseUrl;
  }

  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error(`${this.#options.name} emulator is not listening yet`);
    return this.#baseUrl;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

function isAdmin(request: FastifyRequest): boolean {
  return pathOf(request).startsWith("/_admin/");
}

export function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  const raw = q === -1 ? url : url.slice(0, q);
  try {
    return decodeURI(raw);
  } catch {
    return raw;
  }
}

export function queryOf(request: FastifyRequest): string {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

/** Parses a JSON body captured as a string by the catch-all content-type parser; throws SyntaxError when malformed. */
export function parseJsonBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (body === undefined || body === null || body === "") return undefined;
  return typeof body === "string" ? JSON.parse(body) : body;
}
