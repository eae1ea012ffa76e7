import { describe, expect, it } from 'vitest'
import { WeightedLimiter } from '../../../src/main/core/repo/util/limiter'

describe('WeightedLimiter', () => {
  it('runs tasks while their weights fit, in FIFO order, and a heavy one alone', async () => {
    const limiter = new WeightedLimiter(10, 3)
    let running = 0
    let runningWeight = 0
    let maxRunning = 0
    let maxWeight = 0
    const order: number[] = []
    const weights = [4, 4, 4, 1, 1, 1, 1, 25, 2, 2]
    await Promise.all(
      weights.map((w, i) =>
        limiter.run(w, async () => {
          order.push(i)
          running++
          runningWeight += w
          maxRunning = Math.max(maxRunning, running)
          if (w <= 10) maxWeight = Math.max(maxWeight, runningWeight)
          await new Promise((r) => setTimeout(r, 2))
          running--
          runningWeight -= w
        }),
      ),
    )
    expect(order).toEqual(weights.map((_, i) => i))
    expect(maxRunning).toBeLessThanOrEqual(3)
    expect(maxWeight).toBeLessThanOrEqual(10)
  })
})
