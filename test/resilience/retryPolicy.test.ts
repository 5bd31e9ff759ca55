import { describe, expect, it } from "vitest";
import { computeRetryDelay, createRetryPolicy, defaultRetryOptions, parseRetryAfter } from "../../shared/resilience";

class FakeHttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`status ${status}`);
  }
}

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP-dates, and ignores garbage", () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    expect(parseRetryAfter("10", now)).toBe(10_000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("computeRetryDelay", () => {
  it("obeys Retry-After exactly", () => {
    expect(computeRetryDelay(3, { transient: true, retryAfterMs: 7_000 }, defaultRetryOptions, () => 0.99)).toBe(7_000);
  });

  it("backs off exponentially with ±30 % jitter, capped", () => {
    const options = { ...defaultRetryOptions, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect(computeRetryDelay(1, { transient: true }, options, () => 0.5)).toBe(100);
    expect(computeRetryDelay(2, { transient: true }, options, () => 0.5)).toBe(200);
    expect(computeRetryDelay(3, { transient: true }, options, () => 0)).toBe(280);
    expect(computeRetryDelay(3, { transient: true }, options, () => 1)).toBe(520);
    expect(computeRetryDelay(10, { transient: true }, options, () => 1)).toBe(1_000);
  });
});

describe("createRetryPolicy", () => {
  it("retries transient failures up to maxRetries, then surfaces the last failure", async () => {
    let calls = 0;
    const delays: number[] = [];
    const policy = createRetryPolicy({
      maxRetries: 2,
      initialDelayMs: 1,
      random: () => 0.5,
      onRetry: (e) => delays.push(e.delayMs),
    });
    await expect(
      policy.execute(async () => {
        calls += 1;
        throw new FakeHttpFailure(503, true);
      }),
    ).rejects.toThrow("status 503");
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
  });

  it("does not retry permanent failures", async () => {
    let calls = 0;
    const policy = createRetryPolicy({ maxRetries: 3, initialDelayMs: 1 });
    await expect(
      policy.execute(async () => {
        calls += 1;
        throw new FakeHttpFailure(400, false);
      }),
    ).rejects.toThrow("status 400");
    expect(calls).toBe(1);
  });

  it("gives up at once when Retry-After is longer than it may wait inside one call", async () => {
    let calls = 0;
    const policy = createRetryPolicy({ maxRetries: 3, maxRetryAfterMs: 1_000 });
    await expect(
      policy.execute(async () => {
        calls += 1;
        throw new FakeHttpFailure(429, true, 120_000);
      }),
    ).rejects.toThrow("status 429");
    expect(calls).toBe(1);
  });

  it("waits the Retry-After before the next attempt", async () => {
    const started = Date.now();
    const times: number[] = [];
    const policy = createRetryPolicy({ maxRetries: 1 });
    const result = await policy.execute(async (attempt) => {
      times.push(Date.now() - started);
      if (attempt === 0) throw new FakeHttpFailure(429, true, 200);
      return "ok";
    });
    expect(result).toBe("ok");
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(190);
  });

  it("lets a caller restrict retries, e.g. for non-idempotent writes", async () => {
    let calls = 0;
    const policy = createRetryPolicy({ maxRetries: 3, initialDelayMs: 1, retryOn: (f) => f.status === 429 });
    await expect(
      policy.execute(async () => {
        calls += 1;
        throw new FakeHttpFailure(504, true);
      }),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
