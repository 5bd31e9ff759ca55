import https from "node:https";
import type { AddressInfo } from "node:net";
import { generateEmulatorCertificate, trustCertificateInProcess } from "../../dev/emulators/common/tls";
import { ConditionWaiters } from "./conditionWaiters";

export interface ReceivedCall {
  path: string;
  contentType: string | undefined;
  /** The decoded `validationToken`, for handshakes. */
  validationToken?: string;
  body: string;
}

/**
 * A webhook receiver on loopback HTTPS, as Graph requires of notification URLs: it answers the validation handshake
 * (correctly, or in one of the ways that must fail) and records notifications, answering some of them 500 (`failures`).
 */
export class NotificationListener {
  readonly calls: ReceivedCall[] = [];
  /** How the next handshakes are answered. */
  validation: "echo" | "wrongToken" | "html" | "slow" = "echo";
  /** Per path: how many notifications to answer with 500 before accepting again. */
  readonly failures = new Map<string, number>();
  #server: https.Server | undefined;
  #origin = "";
  readonly #waiters = new ConditionWaiters();

  static async start(): Promise<NotificationListener> {
    const listener = new NotificationListener();
    const certificate = await generateEmulatorCertificate();
    trustCertificateInProcess(certificate.cert);
    listener.#server = https.createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (body += chunk));
      request.on("end", () => listener.#handle(request.url ?? "/", request.headers["content-type"], body, response));
    });
    await new Promise<void>((resolve) => listener.#server!.listen(0, "127.0.0.1", resolve));
    listener.#origin = `https://localhost:${(listener.#server.address() as AddressInfo).port}`;
    return listener;
  }

  url(path: string): string {
    return `${this.#origin}${path}`;
  }

  notifications(path: string): Array<{ value: Array<Record<string, unknown>> }> {
    return this.calls.filter((c) => c.path === path && c.validationToken === undefined).map((c) => JSON.parse(c.body));
  }

  /** Resolves once `ready()` holds, re-checked on every received call (no polling, no sleeps). */
  async until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.#waiters.until(ready, timeoutMs, () => `listener calls: ${JSON.stringify(this.calls)}`);
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  #handle(
    url: string,
    contentType: string | undefined,
    body: string,
    response: import("node:http").ServerResponse,
  ): void {
    const parsed = new URL(url, this.#origin);
    const token = parsed.searchParams.get("validationToken") ?? undefined;
    const call: ReceivedCall = {
      path: parsed.pathname,
      contentType,
      body,
      ...(token !== undefined ? { validationToken: token } : {}),
    };
    this.calls.push(call);
    const finish = (status: number, type: string, text: string): void => {
      response.writeHead(status, { "content-type": type }).end(text);
      this.#waiters.notify();
    };
    if (token !== undefined) {
      if (this.validation === "echo") return finish(200, "text/plain; charset=utf-8", token);
      if (this.validation === "wrongToken") return finish(200, "text/plain", `${token}!`);
      if (this.validation === "html") return finish(200, "text/html", token);
      setTimeout(() => finish(200, "text/plain", token), 300);
      return;
    }
    const failures = this.failures.get(call.path) ?? 0;
    if (failures > 0) {
      this.failures.set(call.path, failures - 1);
      return finish(500, "text/plain", "not now");
    }
    finish(202, "text/plain", "");
  }
}
