import { durationText, runProgressText } from "../shared/diagnostics/runProgressText";
import type { RunProgress } from "../shared/engine/run/runProgress";
import type { CliIo } from "./cliContext";

/**
 * Live progress of a run on stderr (docs/cli.md#progress), drawn from the `RunProgress` the orchestrator publishes as
 * its custom status, which the local Durable host hands over after each episode. Nothing here guesses: the text
 * changes when the run does; on a terminal only the elapsed time moves on its own.
 *
 * - A terminal (stderr is a TTY and `CI` is not set) gets one line, redrawn in place (`\r`, erase line), at most every
 *   `TERMINAL_REDRAW_MS`, cut to the terminal's width, and erased when the run ends.
 * - Anything else (a pipe, a file, CI) gets a plain line when the stage changes, and while a stage lasts a line when
 *   its counts changed, but never two lines closer than `PLAIN_GAP_MS` / `PLAIN_REPEAT_MS`: a change that comes sooner
 *   waits, and only the latest is printed. A run that ends within the gap prints its first line only.
 */
export interface ProgressDisplay {
  /** The run moved on. */
  update(progress: RunProgress): void;
  /** Runs `write` (other output) with the terminal line out of the way, then draws it again. */
  around(write: () => void): void;
  /** The run ended: erases the terminal line and stops every timer. */
  stop(): void;
}

export const TERMINAL_REDRAW_MS = 100;
export const TERMINAL_TICK_MS = 1000;
export const PLAIN_GAP_MS = 2000;
export const PLAIN_REPEAT_MS = 5000;

/** Where the display writes and what it knows of it; the CLI passes stderr, tests their own. */
export interface ProgressTarget {
  write(text: string): void;
  /** stderr is a terminal. */
  isTTY: boolean;
  /** The terminal's width, when known. */
  columns?: number;
  /** `CI` is set (to anything but "" / "0" / "false"): never redraw in place. */
  ci: boolean;
  now?: () => number;
}

/** The display for `io`'s stderr, or a silent one with `--quiet`. */
export function progressDisplayFor(io: CliIo, options: { quiet: boolean; label: string }): ProgressDisplay {
  if (options.quiet) return silentDisplay;
  return progressDisplay(
    {
      write: (text) => io.stderr(text),
      isTTY: io.stderrIsTTY === true,
      ...(io.stderrColumns !== undefined ? { columns: io.stderrColumns } : {}),
      ci: isCi(io.env.CI),
    },
    options.label,
  );
}

export function isCi(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

const silentDisplay: ProgressDisplay = {
  update: () => undefined,
  around: (write) => write(),
  stop: () => undefined,
};

export function progressDisplay(target: ProgressTarget, label: string): ProgressDisplay {
  return target.isTTY && !target.ci ? terminalLine(target, label) : plainLines(target, label);
}

function terminalLine(target: ProgressTarget, label: string): ProgressDisplay {
  const now = target.now ?? Date.now;
  const started = now();
  let latest: RunProgress | undefined;
  let drawn = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let pending: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = setInterval(() => draw(), TERMINAL_TICK_MS);
  tick.unref();

  const draw = (): void => {
    if (stopped || latest === undefined) return;
    pending = undefined;
    lastDraw = now();
    const line = `${label}: ${runProgressText(latest)} · ${durationText(lastDraw - started)}`;
    target.write(`\r\x1b[2K${fitToWidth(line, target.columns)}`);
    drawn = true;
  };
  const erase = (): void => {
    if (drawn) target.write("\r\x1b[2K");
    drawn = false;
  };
  return {
    update(progress) {
      if (stopped) return;
      latest = progress;
      const wait = lastDraw + TERMINAL_REDRAW_MS - now();
      if (wait <= 0) draw();
      else pending ??= unref(setTimeout(draw, wait));
    },
    around(write) {
      erase();
      write();
      if (!stopped && latest !== undefined) draw();
    },
    stop() {
      stopped = true;
      clearInterval(tick);
      if (pending) clearTimeout(pending);
      erase();
    },
  };
}

function plainLines(target: ProgressTarget, label: string): ProgressDisplay {
  const now = target.now ?? Date.now;
  const started = now();
  let latest: RunProgress | undefined;
  let printed: { stage: string; text: string; at: number } | undefined;
  let pending: NodeJS.Timeout | undefined;
  let stopped = false;

  const stageOf = (progress: RunProgress): string => `${progress.cycle}|${progress.stage}`;
  const print = (): void => {
    pending = undefined;
    if (stopped || latest === undefined) return;
    const text = runProgressText(latest);
    const at = now();
    printed = { stage: stageOf(latest), text, at };
    target.write(`${label}: ${text} (${durationText(at - started)})\n`);
  };
  const consider = (): void => {
    if (latest === undefined || pending) return;
    const text = runProgressText(latest);
    if (printed === undefined) {
      print();
      return;
    }
    const newStage = stageOf(latest) !== printed.stage;
    if (!newStage && text === printed.text) return;
    const wait = printed.at + (newStage ? PLAIN_GAP_MS : PLAIN_REPEAT_MS) - now();
    if (wait <= 0) print();
    else pending = unref(setTimeout(print, wait));
  };
  return {
    update(progress) {
      if (stopped) return;
      latest = progress;
      consider();
    },
    around: (write) => write(),
    stop() {
      stopped = true;
      if (pending) clearTimeout(pending);
    },
  };
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}

/** Cuts `line` to the terminal's width (one column spare, so the cursor never wraps). */
function fitToWidth(line: string, columns: number | undefined): string {
  if (columns === undefined || columns < 10) return line;
  const chars = [...line];
  return chars.length < columns ? line : `${chars.slice(0, columns - 2).join("")}…`;
}
