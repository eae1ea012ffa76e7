import { RateMeter } from '../main/core/jobs/rate-meter'
import { formatBytes, formatDuration, formatRate } from './format'

/** What a pipeline reports; the same fields a job carries. Fields left out keep their value. */
export interface ProgressUpdate {
  phase?: string
  filesDone?: number
  filesTotal?: number | null
  bytesDone?: number
  bytesTotal?: number | null
  currentPath?: string | null
}

export interface ProgressSink {
  update(progress: ProgressUpdate): void
  /** Removes the line (before the result is printed). */
  done(): void
}

export const silentProgress: ProgressSink = { update: () => {}, done: () => {} }

interface Terminal {
  write(text: string): unknown
  columns?: number
}

/**
 * One updating line on a terminal (stderr): phase, percent, bytes, rate, ETA, current path.
 * Redrawn at most every `intervalMs`; truncated to the terminal's width so it never wraps.
 */
export class TerminalProgress implements ProgressSink {
  private state: Required<ProgressUpdate> = {
    phase: 'starting',
    filesDone: 0,
    filesTotal: null,
    bytesDone: 0,
    bytesTotal: null,
    currentPath: null,
  }
  private readonly meter = new RateMeter(3_000, 200)
  private lastDraw = 0
  private timer: NodeJS.Timeout | null = null
  private shown = false

  constructor(
    private readonly out: Terminal,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  update(progress: ProgressUpdate): void {
    if (progress.phase !== undefined && progress.phase !== this.state.phase) {
      this.state.phase = progress.phase
      // A new phase counts bytes from zero: the rate starts over.
      this.meter.sample(0, this.now())
    }
    for (const key of [
      'filesDone',
      'filesTotal',
      'bytesDone',
      'bytesTotal',
      'currentPath',
    ] as const) {
      if (progress[key] !== undefined) (this.state as Record<string, unknown>)[key] = progress[key]
    }
    if (progress.bytesDone !== undefined) this.meter.sample(progress.bytesDone, this.now())
    const wait = this.lastDraw + this.intervalMs - this.now()
    if (wait <= 0) this.draw()
    else this.timer ??= setTimeout(() => this.draw(), wait)
  }

  done(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.shown) this.out.write('\r\x1b[2K')
    this.shown = false
  }

  /** The line as it would be drawn now, at most `width` characters (the path is cut in front). */
  line(width = Infinity): string {
    const s = this.state
    const parts: string[] = [s.phase]
    if (s.bytesTotal !== null && s.bytesTotal > 0) {
      const pct = Math.min(100, Math.floor((s.bytesDone / s.bytesTotal) * 100))
      parts.push(`${String(pct).padStart(3)}%`)
      parts.push(`${formatBytes(s.bytesDone)}/${formatBytes(s.bytesTotal)}`)
    } else if (s.bytesDone > 0) {
      parts.push(formatBytes(s.bytesDone))
    }
    if (s.filesTotal !== null) parts.push(`${s.filesDone}/${s.filesTotal} files`)
    else if (s.filesDone > 0) parts.push(`${s.filesDone} files`)
    const rate = this.meter.bytesPerSecond
    if (rate !== null) parts.push(formatRate(rate))
    const eta = this.meter.eta(s.bytesDone, s.bytesTotal)
    if (eta !== null) parts.push(`ETA ${formatDuration(eta)}`)
    const head = printable(parts.join('  '))
    if (head.length >= width) return `${head.slice(0, Math.max(0, width - 1))}…`
    if (!s.currentPath) return head
    const path = printable(s.currentPath)
    const room = width - head.length - 2
    if (room < 8) return head
    return `${head}  ${path.length > room ? `…${path.slice(path.length - room + 1)}` : path}`
  }

  private draw(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.lastDraw = this.now()
    // A pseudo-terminal without a size reports 0 columns.
    const width = Math.max(20, (this.out.columns || 80) - 1)
    this.out.write(`\r\x1b[2K${this.line(width)}`)
    this.shown = true
  }
}

/** Control characters (a name may hold a newline or an escape sequence) would wreck the line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x1f\x7f]/g, '?')
}
