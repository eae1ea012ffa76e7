import type { Readable } from 'node:stream'
import { emptyRequestCounts, type RequestCounts } from '../main/core/storage/object-store'
import { silentProgress, TerminalProgress, type ProgressSink } from './progress'

export interface OutputStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

/** Everything the CLI touches of its process, so it can run in tests without one. */
export interface CliIo {
  stdout: OutputStream
  stderr: OutputStream
  stdin: Readable & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
  cwd: string
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal
}

/** What a command produced: JSON for --json, text otherwise; and its exit code (default 0). */
export interface CommandOutput {
  json: unknown
  text: string
  exitCode?: number
}

/** Per-command helpers: output mode, warnings, progress. */
export class CommandContext {
  /** Requests the command made to the storage (every store it opens counts here). */
  readonly requests: RequestCounts = emptyRequestCounts()

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  get signal(): AbortSignal {
    return this.io.signal
  }

  /** A note for people on stderr (never with --json, where stderr stays for errors). */
  note(message: string): void {
    if (!this.json) this.io.stderr.write(`${message}\n`)
  }

  /** A warning on stderr; printed in every mode (JSON output also lists warnings). */
  warn(message: string): void {
    this.io.stderr.write(`${message}\n`)
  }

  /** A progress line on a terminal; nothing when stderr is not a TTY or with --json. */
  progress(): ProgressSink {
    if (this.json || !this.io.stderr.isTTY) return silentProgress
    return new TerminalProgress(this.io.stderr)
  }
}
