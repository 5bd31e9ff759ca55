import type { CanonicalValue } from "../sync/canonicalValue";
import { normaliseText } from "./canonicalText";
import { isStorableText, renderLink } from "./cellRendering";
import { failure, type Outcome, quote, success, type TypeCodec } from "./fieldCodec";

/**
 * How a hyperlink value is written to Graph (docs/references.md#graph-field-values): `object` is `{Url, Description}`,
 * which Graph reportedly refuses with 400 unless the write carries `Prefer: apiversion=2.1` (the engine adds it);
 * `text` is the `"url, description"` string, which no public source shows working on a real hyperlink column.
 */
export type HyperlinkWriteShape = "text" | "object";

/** SharePoint keeps at most 255 characters of a hyperlink's URL. */
const MAX_URL_LENGTH = 255;

/**
 * The only URL schemes a hyperlink may carry, in either direction. Anything else (`javascript:`, `data:`, `file:`,
 * `vbscript:`) is what someone who can edit one side would plant to run script or reach local files through the
 * other side's link rendering, so it is refused as the value is read and never written (docs/security.md).
 */
export const HYPERLINK_SCHEMES: readonly string[] = ["http:", "https:", "mailto:"];

/**
 * Hyperlink. Canonical: `{ url, description }` with the description normalised and defaulting to the URL; no URL →
 * `null`. Confluence shows a link (`<a href>`); a bare URL in a cell reads as a link to itself.
 */
export function hyperlinkCodec(name: string, writeShape: HyperlinkWriteShape): TypeCodec {
  const check = (value: CanonicalValue): Outcome<{ url: string; description: string } | null> => {
    if (value === null) return success(null);
    if (
      typeof value === "object" &&
      !Array.isArray(value) &&
      typeof value.url === "string" &&
      typeof value.description === "string"
    ) {
      const refused = refusedScheme(value.url);
      if (refused) return refused;
      return success({ url: value.url, description: value.description });
    }
    return failure("FIELD_VALUE_INVALID", `${quote(value)} is not a hyperlink`);
  };
  return {
    kind: "hyperlink",
    sharePointKeys: [name],
    fromSharePoint(fields) {
      const raw = fields[name];
      if (raw === undefined || raw === null || raw === "") return success(null);
      if (typeof raw === "object" && !Array.isArray(raw)) {
        const record = raw as Record<string, unknown>;
        if (typeof record.Url === "string")
          return hyperlink(record.Url, typeof record.Description === "string" ? record.Description : "");
      }
      if (typeof raw === "string") {
        const comma = raw.indexOf(", ");
        return comma === -1 ? hyperlink(raw, "") : hyperlink(raw.slice(0, comma), raw.slice(comma + 2));
      }
      return failure("FIELD_VALUE_INVALID", `expected {Url, Description}, got ${quote(raw)}`);
    },
    fromConfluence(cell) {
      const links = cell.readings.filter((reading) => reading.kind === "link");
      if (links.length > 1)
        return failure("FIELD_VALUE_INVALID", `${links.length} links in one cell; this column holds one`);
      const link = links[0];
      if (link?.kind === "link") {
        if (link.target.kind !== "url")
          return failure(
            "FIELD_VALUE_NOT_REPRESENTABLE",
            `a link to a Confluence ${link.target.kind} has no URL SharePoint can store`,
          );
        return hyperlink(link.target.href, link.text);
      }
      const text = normaliseText(cell.text);
      return text === "" ? success(null) : hyperlink(text, "");
    },
    toSharePoint(value) {
      const checked = check(value);
      if (!checked.ok) return checked;
      const link = checked.value;
      if (link === null) return success({ [name]: null });
      if (link.url.length > MAX_URL_LENGTH)
        return failure(
          "FIELD_VALUE_NOT_REPRESENTABLE",
          `the URL has ${link.url.length} characters; SharePoint keeps ${MAX_URL_LENGTH}`,
        );
      if (writeShape === "object") return success({ [name]: { Url: link.url, Description: link.description } });
      if (link.url.includes(", "))
        return failure(
          "FIELD_VALUE_NOT_REPRESENTABLE",
          `the URL contains ", ", which SharePoint reads as the start of the description`,
        );
      return success({ [name]: `${link.url}, ${link.description}` });
    },
    toConfluence(value) {
      const checked = check(value);
      if (!checked.ok) return checked;
      const link = checked.value;
      if (link === null) return success([""]);
      if (!isStorableText(link.url) || !isStorableText(link.description))
        return failure("FIELD_VALUE_NOT_REPRESENTABLE", `${quote(link)} holds characters a page cannot store`);
      return success([renderLink(link.url, link.description)]);
    },
  };
}

function hyperlink(rawUrl: string, rawDescription: string): Outcome<CanonicalValue> {
  const url = rawUrl.trim();
  if (url === "") return success(null);
  // Whitespace inside a URL does not survive an XML attribute (it is normalised to spaces) and is not a valid URL.
  if (/\s/.test(url) || !URL.canParse(url))
    return failure("FIELD_VALUE_INVALID", `${quote(url)} is not an absolute URL`);
  const refused = refusedScheme(url);
  if (refused) return refused;
  const description = normaliseText(rawDescription);
  return success({ url, description: description === "" ? url : description });
}

/** A failure when the URL's scheme is not one a hyperlink may carry; undefined when it is. */
function refusedScheme(url: string): ReturnType<typeof failure> | undefined {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol !== undefined && HYPERLINK_SCHEMES.includes(protocol)) return undefined;
  return failure(
    "FIELD_VALUE_INVALID",
    `${quote(url)} is not an http, https or mailto link${protocol ? ` (scheme ${quote(protocol)})` : ""}; other schemes are refused`,
  );
}
