import { describe, expect, it } from "vitest";
import {
  type CqlDocument,
  CqlSyntaxError,
  dateValue,
  matchesCql,
  parseCql,
} from "../../../dev/emulators/confluence/cql";

const NOW = Date.UTC(2026, 2, 10, 15, 42, 30); // Tue 10 Mar 2026 15:42:30 UTC
const utc = { nowMs: NOW, timeZoneOffsetMinutes: 0 };

const doc = (overrides: Partial<CqlDocument> = {}): CqlDocument => ({
  id: "10",
  type: "page",
  spaceKey: "TEAM",
  parentId: "1",
  ancestorIds: ["1", "0"],
  title: "Release notes",
  labels: ["sync-managed"],
  createdMs: Date.UTC(2026, 0, 1),
  lastModifiedMs: Date.UTC(2026, 2, 10, 14, 0, 45),
  ...overrides,
});

const matches = (cql: string, d = doc(), context = utc) => matchesCql(parseCql(cql).where, d, context);

describe("CQL subset", () => {
  it("finds pages below a page with ancestor (any depth) and parent (direct children only)", () => {
    expect(matches('ancestor = "0"')).toBe(true);
    expect(matches("ancestor = 1")).toBe(true);
    expect(matches("parent = 0")).toBe(false);
    expect(matches("ancestor in (7, 0)")).toBe(true);
    expect(matches("ancestor != 0")).toBe(false);
    expect(matches("ancestor not in (7, 8)")).toBe(true);
    expect(matches("content = 10 and ancestor = 1")).toBe(true);
  });

  it("reads the four documented date formats in the user's time zone, at minute precision", () => {
    expect(dateValue({ kind: "text", text: "2026-03-10 14:00" }, utc)).toBe(Date.UTC(2026, 2, 10, 14, 0));
    expect(dateValue({ kind: "text", text: "2026/03/10" }, utc)).toBe(Date.UTC(2026, 2, 10));
    expect(dateValue({ kind: "text", text: "2026-03-10 14:00" }, { ...utc, timeZoneOffsetMinutes: 60 })).toBe(
      Date.UTC(2026, 2, 10, 13, 0),
    );
    expect(matches('lastmodified = "2026-03-10 14:00"')).toBe(true); // 14:00:45 is 14:00 at minute precision
    expect(matches('lastmodified > "2026-03-10 14:00"')).toBe(false);
    expect(matches('lastmodified >= "2026/03/10 14:00"')).toBe(true);
  });

  it("evaluates now() and startOfDay() with increments", () => {
    expect(dateValue({ kind: "function", name: "now", args: ["-2h"] }, utc)).toBe(Date.UTC(2026, 2, 10, 13, 42));
    expect(dateValue({ kind: "function", name: "startofday", args: ["-1d"] }, utc)).toBe(Date.UTC(2026, 2, 9));
    expect(dateValue({ kind: "function", name: "endofmonth", args: [] }, utc)).toBe(Date.UTC(2026, 2, 31, 23, 59));
    expect(matches('lastmodified >= now("-2h")')).toBe(true);
    expect(matches('lastmodified >= now("-1h")')).toBe(false);
    expect(matches("created < startOfDay()")).toBe(true);
  });

  it("combines clauses with AND binding tighter than OR, NOT, parentheses and IN", () => {
    expect(matches('space = "OTHER" AND type = page OR label = "sync-managed"')).toBe(true);
    expect(matches('space = "OTHER" AND (type = page OR label = "sync-managed")')).toBe(false);
    expect(matches('NOT label = "archived" and space in ("TEAM", "OPS")')).toBe(true);
    expect(matches("id not in (10, 11)")).toBe(false);
    expect(matches('title ~ "release"')).toBe(true);
    expect(matches("space = team")).toBe(true);
  });

  it("parses ORDER BY with several keys", () => {
    expect(parseCql("type = page ORDER BY lastmodified DESC, title").orderBy).toEqual([
      { field: "lastmodified", direction: "desc" },
      { field: "title", direction: "asc" },
    ]);
  });

  it.each([
    ["", "empty query"],
    ["type = ", "expected a value"],
    ["creator = me", "unsupported field"],
    ['lastmodified > "last week"', "is not a date"],
    ['lastmodified > now("-4x")', "date increment"],
    ['space ~ "TE"', "only supported for title"],
    ["type = page ORDER lastmodified", "expected BY"],
    ['title = "unterminated', "unterminated string"],
    ["space > TEAM", "not valid for field space"],
  ])("rejects %j", (cql, message) => {
    expect(() => parseCql(cql)).toThrow(CqlSyntaxError);
    expect(() => parseCql(cql)).toThrow(message);
  });
});
