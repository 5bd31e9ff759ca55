import { randomUUID } from "node:crypto";
import { SaxesParser } from "saxes";
import { storageXhtmlEntities } from "./storageXhtml";

/**
 * What Confluence does to storage XHTML when it saves it (docs/references.md#what-confluence-changes-on-save, items 1–3
 * and 5), for seeds that turn `storageNormalization: "confluence"` on — so the sync's canonical hashing is exercised
 * against a service that does not hand back the bytes it was given:
 * - macros gain `ac:schema-version="1"` and an `ac:macro-id`;
 * - the document is re-serialised: self-closing tags as `<br />`, attributes double-quoted;
 * - `<b>` → `<strong>`, `<i>` → `<em>`;
 * - entities are decoded, no-break spaces come back as `&nbsp;`, other characters as themselves.
 * CDATA sections and comments are kept verbatim. Expects a body that storageXhtmlError accepted.
 */
export function normalizeStorageLikeConfluence(value: string): string {
  const parser = new SaxesParser({ fragment: true });
  parser.ENTITIES = storageXhtmlEntities();
  const renamed: Record<string, string> = { b: "strong", i: "em" };
  let out = "";
  parser.on("opentag", (tag) => {
    const name = renamed[tag.name] ?? tag.name;
    const attributes = { ...(tag.attributes as Record<string, string>) };
    if (name === "ac:structured-macro") {
      attributes["ac:schema-version"] ??= "1";
      attributes["ac:macro-id"] ??= randomUUID();
    }
    const rendered = Object.entries(attributes)
      .map(([key, v]) => ` ${key}="${escapeAttribute(v)}"`)
      .join("");
    out += `<${name}${rendered}${tag.isSelfClosing ? " />" : ">"}`;
  });
  parser.on("closetag", (tag) => {
    if (!tag.isSelfClosing) out += `</${renamed[tag.name] ?? tag.name}>`;
  });
  parser.on("text", (text) => {
    out += escapeText(text);
  });
  parser.on("cdata", (cdata) => {
    out += `<![CDATA[${cdata}]]>`;
  });
  parser.on("comment", (comment) => {
    out += `<!--${comment}-->`;
  });
  parser.write(value).close();
  return out;
}

function escapeText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\u00a0/g, "&nbsp;");
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}
