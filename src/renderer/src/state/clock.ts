import { create } from 'zustand'

/**
 * "Now", for ages and running costs that change while nothing else does. One timer for the app
 * (started by sync.ts), not one per row; it asks the core for nothing.
 */
export const useClock = create<{ now: number }>()(() => ({ now: Date.now() }))

export function startClock(intervalMs = 30_000): () => void {
  const timer = setInterval(() => useClock.setState({ now: Date.now() }), intervalMs)
  return () => clearInterval(timer)
}
