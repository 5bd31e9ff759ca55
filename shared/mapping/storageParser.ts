import type { StorageDocument } from "./storageDocument";
import { StoragePageError } from "./storagePageError";
import { StorageTokenizer } from "./storageTokenizer";

export type StorageParseResult = { ok: true; document: StorageDocument } | { ok: false; error: StoragePageError };

/**
 * Parses a storage-format body. Well-formedness is checked as strictly as Confluence checks it on save (unclosed or
 * mismatched tags, bare `&`, `<` in attribute values, duplicate attributes, characters XML forbids, unknown
 * entities): such a body yields `STORAGE_MALFORMED` with the line and column, never a silently repaired tree. HTML
 * named entities (`&nbsp;`, `&rsquo;`, …), which plain XML does not define, are resolved from the HTML5 entity table.
 * The body is a fragment (many top-level nodes, undeclared `ac:`/`ri:` prefixes), parsed as such. Never throws.
 */
export function parseStorage(source: string, options: { pageId?: string } = {}): StorageParseResult {
  const { pageId } = options;
  if (!sharedTokenizer?.reusable) sharedTokenizer = new StorageTokenizer();
  const result = sharedTokenizer.parse(source, pageId);
  if (result.ok) return result;
  return { ok: false, error: malformed(result.failure.error, result.failure.line, result.failure.column, pageId) };
}

/** One tokenizer for every page (see `StorageTokenizer`); parsing is synchronous, so pages never share it at once. */
let sharedTokenizer: StorageTokenizer | undefined;

function malformed(error: unknown, line: number, column: number, pageId: string | undefined): StoragePageError {
  const reason = (error instanceof Error ? error.message : String(error))
    .replace(/^\d+:\d+:\s*/, "")
    .replace(/\.$/, "");
  // saxes counts lines from 1 and columns from 0.
  return new StoragePageError(
    "STORAGE_MALFORMED",
    `not well-formed storage XHTML: ${reason} (line ${line}, column ${column + 1})`,
    { ...(pageId === undefined ? {} : { pageId }), line, lineColumn: column + 1 },
    { cause: error },
  );
}
