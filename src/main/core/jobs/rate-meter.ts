/**
 * Bytes per second, smoothed with an exponential moving average whose weight depends on the time
 * between samples (time constant `tauMs`), so bursty progress reports and uneven report intervals
 * give a steady number. Samples closer together than `minIntervalMs` are folded into the next one.
 */
export class RateMeter {
  private rate: number | null = null
  private lastAt: number | null = null
  private lastBytes = 0

  constructor(
    private readonly tauMs = 5_000,
    private readonly minIntervalMs = 250,
  ) {}

  sample(bytesDone: number, at: number): void {
    if (this.lastAt === null || bytesDone < this.lastBytes) {
      // First sample, or the counter went back (a new phase counts from zero): start over.
      this.lastAt = at
      this.lastBytes = bytesDone
      this.rate = null
      return
    }
    const dt = at - this.lastAt
    if (dt < this.minIntervalMs) return
    const instant = ((bytesDone - this.lastBytes) * 1000) / dt
    const alpha = 1 - Math.exp(-dt / this.tauMs)
    this.rate = this.rate === null ? instant : this.rate + alpha * (instant - this.rate)
    this.lastAt = at
    this.lastBytes = bytesDone
  }

  /** Bytes per second, or null before two samples far enough apart. */
  get bytesPerSecond(): number | null {
    return this.rate === null ? null : Math.round(this.rate)
  }

  /** Seconds left, or null when the total or a positive rate is unknown. */
  eta(bytesDone: number, bytesTotal: number | null): number | null {
    if (bytesTotal === null || this.rate === null || this.rate <= 0) return null
    return Math.max(0, Math.ceil((bytesTotal - bytesDone) / this.rate))
  }
}
