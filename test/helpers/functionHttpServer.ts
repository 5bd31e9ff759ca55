import https from "node:https";
import type { AddressInfo } from "node:net";
import { HttpRequest, type HttpResponse, type HttpResponseInit } from "@azure/functions";
import { generateEmulatorCertificate, trustCertificateInProcess } from "../../dev/emulators/common/tls";
import { ConditionWaiters } from "./conditionWaiters";
import { readResponse } from "./functionsApp";

export type FunctionHttpHandler = (request: HttpRequest) => Promise<HttpResponseInit | HttpResponse>;

/**
 * Serves HTTP handlers on loopback HTTPS the way the Functions host would for our routes: each request becomes an
 * `HttpRequest`, the handler's answer goes back on the wire. Lets the Graph emulator reach our real webhook handler.
 */
export class FunctionHttpServer {
  readonly served: Array<{ method: string; path: string; status: number }> = [];
  /** The body of every request served, in the same order (a test may replay one, as an attacker would). */
  readonly received: Array<{ path: string; body: string }> = [];
  #server: https.Server | undefined;
  #origin = "";
  readonly #waiters = new ConditionWaiters();

  static async start(routes: Record<string, FunctionHttpHandler>): Promise<FunctionHttpServer> {
    const server = new FunctionHttpServer();
    const certificate = await generateEmulatorCertificate();
    trustCertificateInProcess(certificate.cert);
    server.#server = https.createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        void server.#serve(routes, request, Buffer.concat(chunks).toString("utf8"), response);
      });
    });
    await new Promise<void>((resolve) => server.#server!.listen(0, "127.0.0.1", resolve));
    server.#origin = `https://localhost:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  url(path: string): string {
    return `${this.#origin}${path}`;
  }

  /** Resolves once `ready()` holds, re-checked after every answered request (no polling, no sleeps). */
  async until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.#waiters.until(ready, timeoutMs, () => `served: ${JSON.stringify(this.served)}`);
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  async #serve(
    routes: Record<string, FunctionHttpHandler>,
    request: import("node:http").IncomingMessage,
    body: string,
    response: import("node:http").ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? "/", this.#origin);
    const handler = routes[url.pathname];
    let status = 404;
    if (handler) {
      const headers = Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) => (typeof value === "string" ? [[name, value]] : [])),
      );
      const answer = await readResponse(
        await handler(
          new HttpRequest({ method: request.method ?? "GET", url: url.href, headers, body: { string: body } }),
        ),
      );
      status = answer.status;
      response.writeHead(status, Object.fromEntries(answer.headers.entries())).end(answer.text);
    } else {
      response.writeHead(404).end();
    }
    this.served.push({ method: request.method ?? "GET", path: url.pathname, status });
    this.received.push({ path: url.pathname, body });
    this.#waiters.notify();
  }
}
