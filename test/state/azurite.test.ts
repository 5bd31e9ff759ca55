import { RestError } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { openTable } from "../../shared/state/tableClientFactory";
import { azuriteLocation, uniqueTablePrefix } from "../helpers/tables";

describe("Table Storage through the shared Azurite", () => {
  it("creates tables idempotently and rejects a stale ETag with 412", async () => {
    const name = uniqueTablePrefix("smoke");
    const table = await openTable(azuriteLocation(), name);
    await openTable(azuriteLocation(), name); // second open must not fail

    await table.createEntity({ partitionKey: "p", rowKey: "r", value: 1 });
    const first = await table.getEntity("p", "r");
    await table.updateEntity({ partitionKey: "p", rowKey: "r", value: 2 }, "Merge", { etag: first.etag });

    const stale = await table
      .updateEntity({ partitionKey: "p", rowKey: "r", value: 3 }, "Merge", { etag: first.etag })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(RestError);
    expect((stale as RestError).statusCode).toBe(412);
    expect((await table.getEntity<{ value: number }>("p", "r")).value).toBe(2);
  });
});
