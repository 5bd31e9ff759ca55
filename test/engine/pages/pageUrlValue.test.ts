import { describe, expect, it } from "vitest";
import { pageUrlValue } from "../../../shared/engine/pages/pagesColumns";
import type { ColumnDefinition } from "../../../shared/mapping";

const columns = [
  { name: "PageText", text: {} },
  { name: "PageLink", hyperlinkOrPicture: { isPicture: false } },
] as unknown as ColumnDefinition[];
const URL = "https://contoso.atlassian.net/wiki/spaces/CUST/pages/4231790671";

describe("the backlink's URL value", () => {
  it("is the URL in a text column", () => {
    expect(pageUrlValue(columns, "PageText", URL, "Customer 1")).toEqual({ value: URL });
  });

  it("is {Url, Description} with Prefer: apiversion=2.1 in a hyperlink column by default", () => {
    expect(pageUrlValue(columns, "PageLink", URL, "Customer 1")).toEqual({
      value: { Url: URL, Description: "Customer 1" },
      prefer: ["apiversion=2.1"],
    });
  });

  it('is "url, description" text when the profile says hyperlinkWrite "text"', () => {
    expect(pageUrlValue(columns, "PageLink", URL, "Customer, 1", "text")).toEqual({ value: `${URL}, Customer 1` });
  });
});
