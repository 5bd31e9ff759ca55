import type { CheckLine, ProfileCheckReport } from "./profileCheck";

const MARK: Record<CheckLine["verdict"], string> = { ok: "✓", warn: "!", fail: "✗", skip: "-" };

/** One line per check (`✓ list  readable: …`), the action indented under it. */
export function checkReportText(report: ProfileCheckReport): string {
  const width = Math.max(...report.checks.map((line) => line.id.length));
  const lines = [`Checking profile ${report.profileKey}`];
  for (const line of report.checks) {
    lines.push(`  ${MARK[line.verdict]} ${line.id.padEnd(width)}  ${line.detail}`);
    if (line.action !== undefined) lines.push(`    ${" ".repeat(width)}  → ${line.action}`);
  }
  const counts = (["fail", "warn"] as const).map(
    (verdict) =>
      `${report.checks.filter((line) => line.verdict === verdict).length} ${verdict === "fail" ? "failed" : "to look at"}`,
  );
  lines.push(report.ok ? `Ready to sync (${counts[1]}).` : `Not ready to sync: ${counts.join(", ")}.`);
  return lines.join("\n");
}
