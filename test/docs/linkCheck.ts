import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Checks that the repository's documentation hangs together: relative links in Markdown resolve to files and headings,
 * and citations in code and docs (`docs/design.md §3`, `docs/references.md#graph-delta`, "invariant 5") name sections
 * that exist. Citations of material outside the repository (`DESIGN.md §3`, `reference §1.3`, `sample 08a`) are
 * reported too: a clone of the repository alone must be enough to follow every citation.
 *
 * Anchors follow GitHub's rules for heading ids (github-slugger): the heading's text, lower-cased, with everything but
 * letters, marks, digits, connector punctuation, hyphens and spaces removed, spaces turned into hyphens; repeated
 * headings get `-1`, `-2`, … A `§n` citation names a heading whose text starts with that number (`## 3. Sync
 * semantics`, `### 3.2 Directions`).
 */

export interface Problem {
  /** Repository-relative path, `/`-separated. */
  readonly file: string;
  readonly line: number;
  /** What was cited or linked, as written. */
  readonly target: string;
  readonly reason: string;
}

export interface Heading {
  readonly text: string;
  readonly anchor: string;
}

/** GitHub's heading id for `text` (without the de-duplication suffix). */
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The text GitHub renders for a heading's Markdown: links reduced to their text, code and emphasis marks and tags dropped. */
function headingText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/`/g, "")
    .replace(/(\*{1,3}|_{2,3})(\S[^*_]*?)\1/g, "$2")
    .trim();
}

/** Lines of `markdown` with fenced code blocks blanked (kept as empty lines so line numbers stay right). */
function withoutFences(markdown: string): string[] {
  const lines = markdown.split(/\r?\n/);
  let fence: string | undefined;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker[0]!.repeat(marker.length);
      return "";
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = undefined;
      return "";
    }
    return line;
  });
}

/** The document's headings (ATX and setext) with their GitHub anchors, duplicates numbered as GitHub does. */
export function headings(markdown: string): Heading[] {
  const lines = withoutFences(markdown);
  const seen = new Map<string, number>();
  const found: Heading[] = [];
  const add = (raw: string): void => {
    const text = headingText(raw);
    const base = githubSlug(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.push({ text, anchor: count === 0 ? base : `${base}-${count}` });
  };
  lines.forEach((line, index) => {
    const atx = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (atx) return add(atx[1]!);
    const previous = index > 0 ? lines[index - 1]! : "";
    if (
      /^\s{0,3}(=+|-+)\s*$/.test(line) &&
      previous.trim() !== "" &&
      !/^\s{0,3}(#|[-*+]\s|\d+[.)]\s|>|\|)/.test(previous) &&
      !previous.includes("|")
    ) {
      add(previous);
    }
  });
  return found;
}

/** Every id a link may point at: heading anchors and explicit `<a id>` / `<a name>` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set(headings(markdown).map((heading) => heading.anchor));
  for (const match of markdown.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  return anchors;
}

/** Section numbers the document's headings start with: `3` for "3. Sync semantics", `3.2` for "3.2 Directions". */
export function sectionNumbers(markdown: string): Set<string> {
  const numbers = new Set<string>();
  for (const heading of headings(markdown)) {
    const number = /^§?\s*(\d+(?:\.\d+)*)\.?(?:\s|$)/.exec(heading.text)?.[1];
    if (number !== undefined) numbers.add(number);
  }
  return numbers;
}

export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Links and images of `markdown` (inline and reference definitions), outside code. */
export function markdownLinks(markdown: string): Link[] {
  const links: Link[] = [];
  withoutFences(markdown).forEach((raw, index) => {
    const line = raw.replace(/(`+)(?:(?!\1).)+?\1/g, (span) => " ".repeat(span.length));
    for (const match of line.matchAll(
      /!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    )) {
      links.push({ target: match[1]!, line: index + 1 });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
    if (definition) links.push({ target: definition[1]!, line: index + 1 });
  });
  return links;
}

/** True for links that leave the repository (`https:`, `mailto:`, protocol-relative). */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

/**
 * Reads repository files for the checks; caches Markdown anchors. `root` is the repository root; every path given
 * to it is repository-relative with `/`.
 */
export class RepoFiles {
  readonly root: string;
  readonly #anchors = new Map<string, Set<string>>();
  readonly #sections = new Map<string, Set<string>>();

  constructor(root: string) {
    this.root = root;
  }

  exists(relative: string): boolean {
    return existsSync(path.join(this.root, relative));
  }

  isFile(relative: string): boolean {
    return this.exists(relative) && statSync(path.join(this.root, relative)).isFile();
  }

  read(relative: string): string {
    return readFileSync(path.join(this.root, relative), "utf8");
  }

  anchors(relative: string): Set<string> {
    let anchors = this.#anchors.get(relative);
    if (anchors === undefined) {
      anchors = anchorsOf(this.read(relative));
      this.#anchors.set(relative, anchors);
    }
    return anchors;
  }

  sections(relative: string): Set<string> {
    let sections = this.#sections.get(relative);
    if (sections === undefined) {
      sections = sectionNumbers(this.read(relative));
      this.#sections.set(relative, sections);
    }
    return sections;
  }

  /**
   * Repository-relative paths of the files under `folders` whose names end with one of `extensions`, skipping
   * generated and installed trees and any path starting with one of `exclude`.
   */
  list(folders: readonly string[], extensions: readonly string[], exclude: readonly string[] = []): string[] {
    const skipped = /(^|\/)(node_modules|dist|build|coverage|\.git|\.local)(\/|$)/;
    const files: string[] = [];
    for (const folder of folders) {
      if (!this.exists(folder)) continue;
      if (this.isFile(folder)) {
        files.push(folder);
        continue;
      }
      for (const entry of readdirSync(path.join(this.root, folder), { recursive: true, encoding: "utf8" })) {
        const relative = `${folder}/${entry.split(path.sep).join("/")}`;
        if (skipped.test(relative) || exclude.some((prefix) => relative.startsWith(prefix))) continue;
        if (!extensions.some((extension) => relative.endsWith(extension))) continue;
        if (this.isFile(relative)) files.push(relative);
      }
    }
    return [...new Set(files)].sort();
  }
}

/** Checks an anchor of a Markdown file, answering the problem or undefined. */
function anchorProblem(repo: RepoFiles, file: string, anchor: string): string | undefined {
  if (!file.endsWith(".md")) return undefined;
  return repo.anchors(file).has(anchor) ? undefined : `no heading or anchor "#${anchor}" in ${file}`;
}

/** Every relative link of the Markdown file `file` that does not resolve to a file, folder or heading. */
export function checkLinks(repo: RepoFiles, file: string): Problem[] {
  const problems: Problem[] = [];
  for (const link of markdownLinks(repo.read(file))) {
    if (link.target === "" || isExternal(link.target)) continue;
    const [rawPath = "", rawAnchor] = link.target.split("#", 2) as [string, string | undefined];
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      problems.push({ file, line: link.line, target: link.target, reason: "not a valid URL path" });
      continue;
    }
    const resolved =
      decoded === ""
        ? file
        : decoded.startsWith("/")
          ? decoded.slice(1)
          : path.posix.normalize(path.posix.join(path.posix.dirname(file), decoded));
    if (resolved.startsWith("..")) {
      problems.push({ file, line: link.line, target: link.target, reason: "points outside the repository" });
      continue;
    }
    const relative = resolved.replace(/\/$/, "") || ".";
    if (!repo.exists(relative)) {
      problems.push({ file, line: link.line, target: link.target, reason: `${relative} does not exist` });
      continue;
    }
    if (rawAnchor !== undefined && rawAnchor !== "" && repo.isFile(relative)) {
      const reason = anchorProblem(repo, relative, rawAnchor);
      if (reason !== undefined) problems.push({ file, line: link.line, target: link.target, reason });
    }
  }
  return problems;
}

/** A citation of a doc: the file, and optionally an anchor or a section number (or range of them). */
export interface DocCitation {
  readonly text: string;
  readonly line: number;
  /** Repository-relative path of the cited Markdown file. */
  readonly file: string;
  readonly anchor?: string;
  readonly sections?: readonly string[];
}

const SECTION = String.raw`\d+(?:\.\d+)*`;

/**
 * Citations in `text` (code or Markdown at `file`): `docs/<name>.md`, optionally followed by `#anchor` or ` §n`
 * (also `§n–m`). Inside `docs/`, a bare `<name>.md §n` or `<name>.md#anchor` cites a sibling document.
 */
export function docCitations(file: string, text: string): DocCitation[] {
  const inDocs = file.startsWith("docs/");
  const pattern = new RegExp(
    String.raw`(?<![\w./-])((?:docs/)${inDocs ? "?" : ""}(?:[\w-]+/)*[\w.-]+\.md)(?:#([\w-]+)|\s*§\s?(${SECTION})(?:\s*[–-]\s*(${SECTION}))?)?`,
    "g",
  );
  const citations: DocCitation[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    for (const match of line.matchAll(pattern)) {
      const cited = match[1]!;
      const inRepo = cited.startsWith("docs/") ? cited : `docs/${cited}`;
      if (!inDocs && !cited.startsWith("docs/")) continue;
      // Inside docs/, only bare names that are docs themselves (not README.md of the root, linked relatively).
      if (inDocs && !cited.startsWith("docs/") && match[2] === undefined && match[3] === undefined) continue;
      const sections = match[3] === undefined ? undefined : [match[3], ...(match[4] === undefined ? [] : [match[4]])];
      citations.push({
        text: match[0],
        line: index + 1,
        file: inRepo,
        ...(match[2] ? { anchor: match[2] } : {}),
        ...(sections ? { sections } : {}),
      });
    }
  });
  return citations;
}

/** Markdown with link targets blanked (`[text](target)`, `[id]: target`): `checkLinks` checks those. */
function withoutLinkTargets(markdown: string): string {
  return markdown
    .split(/\r?\n/)
    .map((line) =>
      line
        .replace(
          /(\]\()([^)]*)(\))/g,
          (_all, open: string, target: string, close: string) => `${open}${" ".repeat(target.length)}${close}`,
        )
        .replace(
          /^(\s{0,3}\[[^\]]+\]:)(.*)$/,
          (_all, label: string, target: string) => `${label}${" ".repeat(target.length)}`,
        ),
    )
    .join("\n");
}

/**
 * Problems with the doc citations of `file` (its text given), and `§n` that cite no document at all. In Markdown,
 * link targets are left to `checkLinks`; link texts and prose are checked here.
 */
export function checkCitations(repo: RepoFiles, file: string, original: string): Problem[] {
  const text = file.endsWith(".md") ? withoutLinkTargets(original) : original;
  const problems: Problem[] = [];
  for (const citation of docCitations(file, text)) {
    if (!repo.isFile(citation.file)) {
      problems.push({ file, line: citation.line, target: citation.text, reason: `${citation.file} does not exist` });
      continue;
    }
    if (citation.anchor !== undefined) {
      const reason = anchorProblem(repo, citation.file, citation.anchor);
      if (reason !== undefined) problems.push({ file, line: citation.line, target: citation.text, reason });
    }
    for (const section of citation.sections ?? []) {
      if (!repo.sections(citation.file).has(section)) {
        problems.push({
          file,
          line: citation.line,
          target: citation.text,
          reason: `no section ${section} in ${citation.file} (no heading starts with "${section}")`,
        });
      }
    }
  }
  // A `§n` that is not part of a doc citation names no document.
  const cited = new RegExp(
    String.raw`(?:docs/)?(?:[\w-]+/)*[\w.-]+\.md\s*§\s?${SECTION}(?:\s*[–-]\s*${SECTION})?`,
    "g",
  );
  text.split(/\r?\n/).forEach((line, index) => {
    const rest = line.replace(cited, "");
    for (const match of rest.matchAll(new RegExp(String.raw`§\s?${SECTION}`, "g"))) {
      problems.push({
        file,
        line: index + 1,
        target: match[0],
        reason: "a § citation must name its document: docs/<file>.md §n",
      });
    }
  });
  return problems;
}

/** Citations of material that is not in the repository: the team's design sketch and reference notes and samples. */
const OUTSIDE_CITATIONS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /\bDESIGN(?:\.md)?\b(?:'s)?(?=[\s,.;:)]|$)/g, what: "DESIGN.md (cite docs/design.md)" },
  { pattern: /\breferences?\s*§/gi, what: "reference § (cite docs/references.md#…)" },
  {
    pattern:
      /(?<![\w/.-])(?:reference\/[\w.-]+|(?:graph|confluence)-api\.md|confluence-pages-mode\.md|azure-functions-local\.md|samples\/(?:confluence|graph)\b)/g,
    what: "a reference note (cite docs/references.md#…)",
  },
  { pattern: /\bsamples?\s+\d{2}[a-d]?\b/gi, what: "a reference sample (cite docs/references.md#…)" },
];

/** Citations in `text` of material outside the repository. */
export function checkOutsideCitations(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    for (const { pattern, what } of OUTSIDE_CITATIONS) {
      for (const match of line.matchAll(pattern))
        problems.push({ file, line: index + 1, target: match[0], reason: `cites ${what}` });
    }
  });
  return problems;
}

/** The invariants docs/design.md defines: headings "Invariant n: …". */
export function definedInvariants(designMarkdown: string): Set<number> {
  const numbers = new Set<number>();
  for (const heading of headings(designMarkdown)) {
    const number = /^Invariant (\d+)\b/.exec(heading.text)?.[1];
    if (number !== undefined) numbers.add(Number(number));
  }
  return numbers;
}

/** "invariant 5", "invariants 1–4, 7 and 8": every number must be an invariant docs/design.md defines. */
export function checkInvariantCitations(file: string, text: string, defined: ReadonlySet<number>): Problem[] {
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    for (const match of line.matchAll(/\binvariants?\s+(\d+(?:\s*(?:[–-]|,|and|to|or)\s*\d+)*)/gi)) {
      const numbers = match[1]!.match(/\d+/g) ?? [];
      for (const number of numbers) {
        if (!defined.has(Number(number)))
          problems.push({
            file,
            line: index + 1,
            target: match[0],
            reason: `docs/design.md defines no invariant ${number}`,
          });
      }
    }
  });
  return problems;
}

/** One line per problem, for assertion messages. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((problem) => `${problem.file}:${problem.line}: ${problem.target} — ${problem.reason}`).join("\n");
}
