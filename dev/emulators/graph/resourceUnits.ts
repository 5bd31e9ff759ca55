/**
 * SharePoint's per-app resource-unit budget over a one-minute window. Throttled requests still count ("Throttled
 * requests count towards usage limits"); `Retry-After` is the time left in the window, and the RateLimit headers
 * appear once 80 % of the budget is used, as the SharePoint throttling page describes.
 */
export class ResourceUnitMeter {
  readonly #windows = new Map<string, { startMs: number; used: number }>();

  /** Charges `cost` RUs to the app's current window; `limit` undefined = no budget. */
  charge(request: {
    appId: string;
    cost: number;
    limit: number | undefined;
    nowMs: number;
  }):
    | { throttled: false; headers: Record<string, string> }
    | { throttled: true; retryAfterSeconds: number; headers: Record<string, string> } {
    const { appId, cost, limit, nowMs } = request;
    if (limit === undefined || cost === 0) return { throttled: false, headers: {} };
    let window = this.#windows.get(appId);
    if (!window || nowMs - window.startMs >= 60_000) {
      window = { startMs: nowMs, used: 0 };
      this.#windows.set(appId, window);
    }
    const over = window.used + cost > limit;
    window.used += cost;
    const resetSeconds = Math.max(1, Math.ceil((window.startMs + 60_000 - nowMs) / 1000));
    const headers: Record<string, string> =
      window.used >= 0.8 * limit
        ? {
            "RateLimit-Limit": String(limit),
            "RateLimit-Remaining": String(Math.max(0, limit - window.used)),
            "RateLimit-Reset": String(resetSeconds),
          }
        : {};
    if (!over) return { throttled: false, headers };
    return {
      throttled: true,
      retryAfterSeconds: resetSeconds,
      headers: { ...headers, "Retry-After": String(resetSeconds) },
    };
  }

  reset(): void {
    this.#windows.clear();
  }
}
