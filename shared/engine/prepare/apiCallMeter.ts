import type { ApiCalls } from "../run/runReport";

/** Anything that counts the HTTP requests it sent (both service clients do). */
interface CountsRequests {
  readonly requestCount: number;
}

/**
 * The calls a cycle has made so far, for its report. Clients are attached as they are connected, so a failure on the
 * way still reports the calls made before it.
 */
export class ApiCallMeter {
  #graph: CountsRequests | undefined;
  #confluence: CountsRequests | undefined;

  attach(clients: { graph?: CountsRequests; confluence?: CountsRequests }): void {
    if (clients.graph) this.#graph = clients.graph;
    if (clients.confluence) this.#confluence = clients.confluence;
  }

  now(): ApiCalls {
    return { graph: this.#graph?.requestCount ?? 0, confluence: this.#confluence?.requestCount ?? 0 };
  }
}
