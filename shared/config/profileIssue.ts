import type { z } from "zod";

/** One problem with a profile document: where (a JSON path such as `fields[2].confluence`) and what. */
export interface ProfileIssue {
  path: string;
  message: string;
}

/** `["fields", 2, "confluence"]` → `fields[2].confluence`; the document itself is `(root)`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * Every issue zod found, each with its path. Unknown properties are reported one by one at their own path, since
 * "unrecognized keys" at the parent object is harder to act on.
 */
export function profileIssuesFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): ProfileIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatIssuePath([...path, key]), message: "unknown property" }));
    }
    return [{ path: formatIssuePath(path), message: issue.message }];
  });
}

/** Issues as indented lines, for error messages and human CLI output. */
export function describeIssues(issues: readonly ProfileIssue[]): string {
  return issues.map((issue) => `  ${issue.path}: ${issue.message}`).join("\n");
}
