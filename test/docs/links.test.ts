import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkCitations,
  checkInvariantCitations,
  checkLinks,
  checkOutsideCitations,
  definedInvariants,
  describeProblems,
  githubSlug,
  headings,
  type Problem,
  RepoFiles,
  sectionNumbers,
} from "./linkCheck";

const repoRoot = path.resolve(__dirname, "../..");
const repo = new RepoFiles(repoRoot);

/** Where code lives (its comments cite the docs), and what of it is the checker's own material. */
const CODE_FOLDERS = ["functions", "shared", "cli", "dev", "test", "bench"];
const NOT_CHECKED = ["test/docs/"];

const markdownFiles = ["README.md", ...repo.list(["docs"], [".md"]), ...repo.list(CODE_FOLDERS, [".md"], NOT_CHECKED)];
const codeFiles = repo.list(CODE_FOLDERS, [".ts"], NOT_CHECKED);

function everyFile(check: (file: string, text: string) => Problem[], files: readonly string[]): Problem[] {
  return files.flatMap((file) => check(file, repo.read(file)));
}

describe("the repository's docs", () => {
  it("has a README of at most 200 lines", () => {
    expect(repo.read("README.md").split("\n").length).toBeLessThanOrEqual(200);
  });

  it("resolves every relative link in README.md and docs/ (files, folders and #anchors)", () => {
    const problems = markdownFiles.flatMap((file) => checkLinks(repo, file));
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it("resolves every docs/<file>.md, #anchor and § citation in code and docs", () => {
    const problems = everyFile((file, text) => checkCitations(repo, file, text), [...codeFiles, ...markdownFiles]);
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it("cites only invariants docs/design.md defines", () => {
    const defined = definedInvariants(repo.read("docs/design.md"));
    expect([...defined].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const problems = everyFile(
      (file, text) => checkInvariantCitations(file, text, defined),
      [...codeFiles, ...markdownFiles],
    );
    expect(problems, describeProblems(problems)).toEqual([]);
  });

  it("cites nothing outside the repository (the design sketch, reference notes or samples)", () => {
    const problems = everyFile(checkOutsideCitations, [...codeFiles, ...markdownFiles]);
    expect(problems, describeProblems(problems)).toEqual([]);
  });
});

describe("the link checker", () => {
  const fixture = new RepoFiles(path.join(__dirname, "fixtures/repo"));
  const show = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.file}:${p.line} ${p.target}`);

  it("makes anchors as GitHub does", () => {
    expect(githubSlug("3. Sync semantics")).toBe("3-sync-semantics");
    expect(githubSlug("Atlassian OAuth 2.0 (3LO)")).toBe("atlassian-oauth-20-3lo");
    expect(githubSlug("Invariant 5: minimal cost")).toBe("invariant-5-minimal-cost");
    expect(githubSlug("GET /api/profiles/{profileKey}")).toBe("get-apiprofilesprofilekey");
    expect(githubSlug("3.2 Directions — and code")).toBe("32-directions--and-code");
    expect(githubSlug("Émigré's snake_case ≤ 20")).toBe("émigrés-snake_case--20");
    expect(headings("# A\n## A\n```\n# not a heading\n```\n## `A`\nB\n---\n").map((h) => h.anchor)).toEqual([
      "a",
      "a-1",
      "a-2",
      "b",
    ]);
    expect([...sectionNumbers("## 3. Sync\n### 3.2 Rules\n## Invariant 4: x\n## §6 Style\n")]).toEqual([
      "3",
      "3.2",
      "6",
    ]);
  });

  it("reports broken links and anchors, and nothing else", () => {
    const problems = ["README.md", "docs/guide.md", "docs/other.md"].flatMap((file) => checkLinks(fixture, file));
    expect(show(problems)).toEqual([
      "README.md:4 docs/missing.md",
      "README.md:4 docs/guide.md#nowhere",
      "README.md:4 ../outside.md",
      "README.md:13 docs/other.md#second-heading-2",
      "docs/guide.md:12 #sync-rules-2",
      "docs/guide.md:13 other.md#missing",
      "docs/guide.md:13 #nope",
    ]);
    expect(problems.map((p) => p.reason)).toEqual([
      "docs/missing.md does not exist",
      'no heading or anchor "#nowhere" in docs/guide.md',
      "points outside the repository",
      'no heading or anchor "#second-heading-2" in docs/other.md',
      'no heading or anchor "#sync-rules-2" in docs/guide.md',
      'no heading or anchor "#missing" in docs/other.md',
      'no heading or anchor "#nope" in docs/guide.md',
    ]);
  });

  it("reports citations of missing docs, anchors and sections, and § that name no document", () => {
    const problems = ["README.md", "docs/guide.md", "src/code.ts"].flatMap((file) =>
      checkCitations(fixture, file, fixture.read(file)),
    );
    expect(show(problems)).toEqual([
      "README.md:11 docs/guide.md §7",
      "docs/guide.md:15 other.md §2",
      "docs/guide.md:15 §4",
      "src/code.ts:1 docs/guide.md §3.2–3.9",
      "src/code.ts:2 docs/guide.md#gone",
      "src/code.ts:3 docs/absent.md",
      "src/code.ts:4 §1.3",
    ]);
  });

  it("reports citations of material outside the repository, and invariants design.md does not define", () => {
    const text = fixture.read("src/code.ts");
    expect(show(checkOutsideCitations("src/code.ts", text))).toEqual([
      "src/code.ts:4 DESIGN.md",
      "src/code.ts:4 reference §",
      "src/code.ts:4 sample 08a",
    ]);
    expect(show(checkInvariantCitations("src/code.ts", text, new Set([1, 2, 3, 4, 5, 6, 7, 8])))).toEqual([
      "src/code.ts:4 invariants 1–4 and 9",
    ]);
  });
});
