import type * as df from "durable-functions";
import type { StepCount } from "../run/runProgress";

/**
 * Runs a fan-out of tasks in parallel and waits for every one of them, failed or not, answering the ids of those that
 * failed for good: the step after a fan-out (a commit) must see every outcome, and `Task.all` alone would resume at the
 * first failure while the others are still running.
 *
 * `Task.any` schedules every task at once, exactly as `Task.all` would (one compound action, the same sequence ids),
 * but resumes as soon as one finishes; the tasks are then taken in the order they were scheduled, each waited for
 * unless it has finished already. `onResult` hears each result (undefined for a task that failed for good) in that
 * order; `onCount` hears how many are done each time the orchestrator is about to wait, and once all are. The count
 * is of the tasks taken so far: a task still running holds it back until it finishes, even when later ones did (then
 * it jumps), so it never goes back and costs nothing per replay but the one step. A task already finished is read,
 * not yielded again: yielding a finished task makes the SDK resume the orchestrator recursively, a stack frame each.
 */
export function* settleEach(
  context: df.OrchestrationContext,
  tasks: readonly df.Task[],
  ids: readonly string[],
  listener: { onResult?: (result: unknown) => void; onCount?: (count: StepCount) => void } = {},
): Generator<df.Task, string[], unknown> {
  if (tasks.length === 0) return [];
  yield context.df.Task.any([...tasks]);
  const failed: string[] = [];
  for (const [index, task] of tasks.entries()) {
    if (!task.isCompleted && !task.isFaulted) {
      listener.onCount?.({ done: index, failed: failed.length, total: tasks.length });
      try {
        yield task;
      } catch {
        // Recorded below from the task's own state.
      }
    }
    if (task.isFaulted) failed.push(ids[index] ?? "");
    listener.onResult?.(task.isFaulted ? undefined : task.result);
  }
  listener.onCount?.({ done: tasks.length, failed: failed.length, total: tasks.length });
  return failed;
}
