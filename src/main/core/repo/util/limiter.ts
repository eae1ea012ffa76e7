/**
 * Runs at most `limit` tasks at a time; further callers wait in FIFO order. Used to bound CPU work
 * (compression) and network work (pack uploads, ranged reads) so memory stays bounded.
 */
export class Limiter {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit must be at least 1')
  }

  get pending(): number {
    return this.active + this.waiting.length
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await task()
    } finally {
      this.release()
    }
  }

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active--
  }
}
