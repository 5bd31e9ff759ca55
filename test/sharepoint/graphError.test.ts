import { describe, expect, it } from "vitest";
import { GraphError, readEnvelope } from "../../shared/sharepoint/graphError";

const header = (values: Record<string, string>) => (name: string) => values[name.toLowerCase()];

describe("GraphError from Graph's error envelope", () => {
  it("keeps the most detailed code, but not the numeric inner code of throttling bodies", () => {
    expect(
      readEnvelope({
        error: {
          code: "resyncRequired",
          message: "m",
          innerError: { code: "resyncChangesApplyDifferences", "request-id": "r1" },
        },
      }),
    ).toEqual({
      code: "resyncChangesApplyDifferences",
      message: "m",
      requestId: "r1",
    });
    expect(
      readEnvelope({
        error: {
          code: "TooManyRequests",
          message: "Please retry again later.",
          innerError: { code: "429", "request-id": "r2" },
        },
      }).code,
    ).toBe("TooManyRequests");
    expect(readEnvelope({ error: { code: "badRequest", innererror: { code: "invalidRange" } } }).code).toBe(
      "invalidRange",
    );
    expect(readEnvelope("not json")).toEqual({});
  });

  it("maps statuses to stable codes and carries what the retry policy needs", () => {
    const throttled = GraphError.fromResponse(
      "[GET] sites/x/lists/y/items",
      { status: 429, body: { error: { code: "TooManyRequests" } }, header: header({ "retry-after": "10" }) },
      { nowMs: 0 },
    );
    expect(throttled).toMatchObject({
      code: "GRAPH_THROTTLED",
      status: 429,
      retryAfterMs: 10_000,
      transient: true,
      graphCode: "TooManyRequests",
    });
    expect(throttled.message).toBe("[GET] sites/x/lists/y/items: 429 TooManyRequests");

    const gone = GraphError.fromResponse(
      "[GET] delta",
      { status: 410, body: {}, header: header({ location: "https://graph/restart" }) },
      { nowMs: 0 },
    );
    expect(gone).toMatchObject({ code: "GRAPH_RESYNC_REQUIRED", transient: false, location: "https://graph/restart" });

    const statuses = [400, 401, 403, 404, 412, 500, 503].map((status) => {
      const error = GraphError.fromResponse("op", { status, body: undefined, header: header({}) }, { nowMs: 0 });
      return [status, error.code, error.transient];
    });
    expect(statuses).toEqual([
      [400, "GRAPH_BAD_REQUEST", false],
      [401, "GRAPH_UNAUTHORIZED", false],
      [403, "GRAPH_FORBIDDEN", false],
      [404, "GRAPH_NOT_FOUND", false],
      [412, "GRAPH_PRECONDITION_FAILED", false],
      [500, "GRAPH_UNAVAILABLE", true],
      [503, "GRAPH_UNAVAILABLE", true],
    ]);
  });
});
