import type { Readable } from 'node:stream'

/** Chunks held before the stream is paused (SSH channel packets are up to ~32 KiB). */
const HIGH_WATER = 32
const LOW_WATER = 8

/**
 * The chunks of a byte stream as they arrived, with backpressure. `for await` over a Readable
 * calls `read()`, which concatenates everything buffered into one new Buffer: a copy of every
 * byte read over SSH (about a twentieth of a full backup's main-thread time). Here each chunk is
 * handed on as it came; the stream is paused while the consumer is behind.
 *
 * Like the Readable's own iterator: an error or a close before the end throws, and stopping early
 * (break, return, throw) destroys the stream.
 */
export async function* streamChunks(stream: Readable): AsyncGenerator<Buffer, void, undefined> {
  const queue: Buffer[] = []
  let head = 0
  let ended = false
  let failure: Error | null = null
  let wake: (() => void) | null = null
  const notify = () => {
    const w = wake
    wake = null
    w?.()
  }
  const onData = (chunk: Buffer) => {
    queue.push(chunk)
    if (queue.length - head >= HIGH_WATER) stream.pause()
    notify()
  }
  const onEnd = () => {
    ended = true
    notify()
  }
  const onError = (error: Error) => {
    failure ??= error
    notify()
  }
  const onClose = () => {
    // 'close' may come before our 'end' listener runs (ssh2 closes a channel from its own 'end'
    // listener, registered first), so the stream's own state decides whether it ended.
    if (stream.readableEnded) ended = true
    if (!ended) {
      failure ??= Object.assign(new Error('Premature close'), {
        code: 'ERR_STREAM_PREMATURE_CLOSE',
      })
    }
    notify()
  }
  if (stream.readableEnded) ended = true
  else if (stream.destroyed) onClose()
  if (stream.errored) failure = stream.errored
  stream.on('data', onData)
  stream.on('end', onEnd)
  stream.on('error', onError)
  stream.on('close', onClose)
  try {
    for (;;) {
      if (head < queue.length) {
        const chunk = queue[head]!
        queue[head++] = EMPTY
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head)
          head = 0
        }
        if (queue.length - head <= LOW_WATER && stream.isPaused() && !ended) stream.resume()
        yield chunk
        continue
      }
      if (failure) throw failure
      if (ended) return
      await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    stream.off('data', onData)
    stream.off('end', onEnd)
    stream.off('error', onError)
    stream.off('close', onClose)
    // An error after the consumer stopped has no one to go to (the default iterator's too).
    stream.on('error', () => {})
    if (!ended && !stream.destroyed) stream.destroy()
  }
}

const EMPTY = Buffer.alloc(0)
