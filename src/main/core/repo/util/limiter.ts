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

/**
 * Runs tasks while their weights (bytes) add up to at most `limit`, and at most `count` at a time;
 * further callers wait in FIFO order. A task heavier than the limit runs alone.
 */
export class WeightedLimiter {
  private used = 0
  private active = 0
  private readonly waiting: { weight: number; resolve: () => void }[] = []

  constructor(
    readonly limit: number,
    readonly count: number = Infinity,
  ) {
    if (!(limit >= 1) || !(count >= 1)) throw new RangeError('limits must be at least 1')
  }

  async run<T>(weight: number, task: () => Promise<T>): Promise<T> {
    await this.acquire(weight)
    try {
      return await task()
    } finally {
      this.release(weight)
    }
  }

  private fits(weight: number): boolean {
    return this.active === 0 || (this.used + weight <= this.limit && this.active < this.count)
  }

  private acquire(weight: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(weight)) {
      this.used += weight
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push({ weight, resolve }))
  }

  private release(weight: number): void {
    this.used -= weight
    this.active--
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.weight)) {
      const next = this.waiting.shift()!
      this.used += next.weight
      this.active++
      next.resolve()
    }
  }
}
