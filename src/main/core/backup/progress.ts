import type { PipelineProgress } from './types'

/**
 * Keeps a pipeline's progress and hands it to the listener at most every `intervalMs` (and at
 * once on a phase change or `flush`), so that counting per file or per chunk stays cheap.
 */
export class ProgressTicker<Phase extends string> {
  readonly state: PipelineProgress<Phase>
  private last = 0
  private dirty = false

  constructor(
    phase: Phase,
    private readonly listener: ((progress: PipelineProgress<Phase>) => void) | undefined,
    private readonly intervalMs = 100,
  ) {
    this.state = {
      phase,
      filesDone: 0,
      filesTotal: null,
      bytesDone: 0,
      bytesTotal: null,
      currentPath: null,
    }
  }

  /** Call after changing `state`; reports when the interval has passed. */
  touch(): void {
    this.dirty = true
    if (!this.listener) return
    const now = Date.now()
    if (now - this.last >= this.intervalMs) this.flush(now)
  }

  phase(phase: Phase): void {
    if (this.state.phase === phase) return
    this.state.phase = phase
    this.flush()
  }

  flush(now = Date.now()): void {
    if (!this.listener) return
    this.last = now
    this.dirty = false
    this.listener({ ...this.state })
  }

  get pending(): boolean {
    return this.dirty
  }
}
