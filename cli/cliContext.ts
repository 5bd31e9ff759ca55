import { AppError } from "../shared/errors";

/** Where a command writes and what it reads from its environment; tests run commands in-process with their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress is one line redrawn in place there (docs/cli.md#progress). */
  stderrIsTTY?: boolean;
  /** The terminal's width, when stderr is one. */
  stderrColumns?: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Everything piped to standard input, read to its end (absent when the caller has no input to give). */
  readStdin?: () => Promise<string>;
  /** One line a person types after `prompt` (absent when nobody can answer). */
  readLine?: (prompt: string) => Promise<string>;
  /** Shows an address in the person's browser; the default opens the system browser (tests drive their own). */
  openUrl?: (url: string) => Promise<void>;
}

/** A failure the user caused or can fix: printed as one clear message, exit code 1 unless stated. */
export class CliError extends AppError {
  readonly code = "CLI_ERROR";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Writes `value` as pretty JSON (for `--json`) or as the given human text. */
export function printResult(io: CliIo, json: boolean, value: unknown, human: () => string): void {
  io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}
