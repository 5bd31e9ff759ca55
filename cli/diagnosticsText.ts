import type { ConflictView, ProfileConflicts, ProfileDetail, ProfileSummary, RunSummary } from "../shared/diagnostics";
import { formatTable } from "./textTable";

/** Human-readable renderings of the diagnostics, for `confluence-sync diagnostics` without `--json`. */

export function overviewText(profiles: readonly ProfileSummary[]): string {
  if (profiles.length === 0) return "no profiles yet: import one with `confluence-sync profiles import <file.json>`";
  const rows = [["PROFILE", "ENABLED", "VALID", "LAST RUN", "AT", "OPEN CONFLICTS"]];
  for (const profile of profiles) {
    rows.push([
      profile.key,
      profile.enabled === null ? "?" : profile.enabled ? "yes" : "no",
      profile.valid
        ? "yes"
        : `no${profile.missingSecrets.length ? ` (missing ${profile.missingSecrets.join(", ")})` : ""}${profile.errors.length ? ` (${plural(profile.errors.length, "schema error")})` : ""}`,
      profile.lastRun?.outcome ?? "never",
      profile.lastRun?.finishedAt ?? "",
      String(profile.openConflicts),
    ]);
  }
  return formatTable(rows);
}

export function detailText(profile: ProfileDetail): string {
  const lines = [`profile ${profile.key}${profile.displayName ? ` (${profile.displayName})` : ""}`];
  lines.push(`  enabled: ${profile.enabled === null ? "unknown" : profile.enabled ? "yes" : "no"}`);
  lines.push(`  valid: ${profile.valid ? "yes" : "no"}`);
  if (profile.missingSecrets.length) lines.push(`  missing secrets: ${profile.missingSecrets.join(", ")}`);
  for (const error of profile.errors) lines.push(`  schema: ${error.path}: ${error.message}`);
  lines.push(`  open conflicts: ${profile.openConflicts}`);
  lines.push("", "recent runs:");
  if (profile.recentRuns.length === 0) lines.push("  none");
  for (const run of profile.recentRuns) lines.push(`  ${runLine(run)}`);
  lines.push("", "webhook subscriptions:");
  if (profile.subscriptions.length === 0) lines.push("  none");
  for (const subscription of profile.subscriptions) {
    const left = subscription.expiresInHours > 0 ? `expires in ${subscription.expiresInHours} h` : "expired";
    lines.push(
      `  ${subscription.subscriptionId}  ${subscription.expirationDateTime} (${left})  → ${subscription.notificationUrl}`,
    );
  }
  const grant = profile.confluenceGrant;
  if (grant?.unsavedSince)
    lines.push(
      `  CONFLUENCE REFRESH TOKEN NOT STORED since ${grant.unsavedSince} (${grant.saveAttempts} failed attempts, last ${grant.lastSaveError ?? "unknown"}): a process keeps it in memory; fix the secrets store`,
    );
  if (grant?.exchangeStartedAt && !grant.unsavedSince)
    lines.push(`  confluence token refresh in progress or interrupted since ${grant.exchangeStartedAt}`);
  lines.push("", "token refreshes (newest first):");
  if (profile.tokenRefreshes.length === 0) lines.push("  none");
  for (const refresh of profile.tokenRefreshes) {
    lines.push(
      `  ${refresh.at}  ${refresh.outcome}${refresh.errorCode ? ` ${refresh.errorCode}` : ""}${refresh.newExpiry ? ` (new token until ${refresh.newExpiry})` : ""}  ${refresh.durationMs} ms`,
    );
  }
  return lines.join("\n");
}

export function conflictsText(view: ProfileConflicts): string {
  if (view.conflicts.length === 0) return `profile ${view.profileKey}: no open conflicts`;
  const lines = [`profile ${view.profileKey}: ${plural(view.conflicts.length, "open conflict")}`];
  for (const conflict of view.conflicts) lines.push("", ...conflictLines(conflict));
  return lines.join("\n");
}

function conflictLines(conflict: ConflictView): string[] {
  const item =
    conflict.item.sharePointId !== null ? `item ${conflict.item.sharePointId}` : `row ${conflict.item.rowKey ?? "?"}`;
  const settled = conflict.settlement;
  return [
    `  ${item}${conflict.field ? `, field ${conflict.field}` : ""} (${conflict.kind}, ${conflict.resolution}) since ${conflict.openedAt}`,
    `    id: ${conflict.id}`,
    `    SharePoint: ${JSON.stringify(conflict.values.sharePoint)}`,
    `    Confluence: ${JSON.stringify(conflict.values.confluence)}`,
    `    last synced: ${JSON.stringify(conflict.values.base)}`,
    `    ${conflict.message}`,
    ...(settled
      ? [
          `    settled by ${settled.by} at ${settled.at}: take ${settled.take} ${JSON.stringify(settled.value ?? null)}; ${settled.state === "pending" ? "the next run writes it" : `applied by run ${settled.appliedByRun ?? "?"}`}`,
        ]
      : []),
    ...(conflict.reopened
      ? [
          `    re-opened ${conflict.reopened.at}: ${conflict.reopened.settlement.by}'s settlement was not applied: ${conflict.reopened.reason}`,
        ]
      : []),
  ];
}

function runLine(run: RunSummary): string {
  const counts = run.counts
    ? `  SharePoint +${run.counts.sharePoint.created} ~${run.counts.sharePoint.updated} -${run.counts.sharePoint.deleted}, Confluence +${run.counts.confluence.created} ~${run.counts.confluence.updated} -${run.counts.confluence.deleted}, ${plural(run.counts.conflicts, "conflict")}, ${plural(run.counts.errors, "error")}`
    : "";
  const problem = run.problem ? `  ${run.problem.code}: ${run.problem.message}` : "";
  return `${run.startedAt}  ${run.outcome}${run.dryRun ? " (dry run)" : ""}${run.trigger ? ` [${run.trigger}]` : ""}${counts}${problem}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
