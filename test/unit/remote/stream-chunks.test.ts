import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { streamChunks } from '../../../src/main/core/remote/stream-chunks'

describe('streamChunks', () => {
  it('hands on each chunk as it arrived, without concatenating buffered ones', async () => {
    const stream = new PassThrough()
    const sent = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i, i))
    for (const chunk of sent) stream.write(chunk)
    stream.end()
    const got: Buffer[] = []
    for await (const chunk of streamChunks(stream)) got.push(chunk)
    expect(got.map((c) => c.length)).toEqual(sent.map((c) => c.length))
    expect(Buffer.concat(got).equals(Buffer.concat(sent))).toBe(true)
  })

  it('pauses a fast producer while the consumer is behind', async () => {
    let produced = 0
    const stream = new Readable({
      read() {
        produced++
        this.push(produced <= 1000 ? Buffer.alloc(100, 1) : null)
      },
    })
    const iterator = streamChunks(stream)[Symbol.asyncIterator]()
    await iterator.next()
    await new Promise((r) => setTimeout(r, 50))
    // Far fewer than all 1000 chunks were pulled while nobody consumed.
    expect(produced).toBeLessThan(200)
    let total = 1
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) total++
    expect(total).toBe(1000)
  })

  it('throws the stream error, and a close before the end', async () => {
    const failing = new PassThrough()
    failing.write(Buffer.from('a'))
    setTimeout(() => failing.destroy(new Error('connection lost')), 10)
    await expect(async () => {
      for await (const chunk of streamChunks(failing)) void chunk
    }).rejects.toThrow('connection lost')

    const closed = new PassThrough()
    setTimeout(() => closed.destroy(), 10)
    await expect(async () => {
      for await (const chunk of streamChunks(closed)) void chunk
    }).rejects.toThrow(/Premature close/)
  })

  it('destroys the stream when the consumer stops early', async () => {
    const stream = new PassThrough()
    stream.write(Buffer.from('abc'))
    for await (const chunk of streamChunks(stream)) {
      void chunk
      break
    }
    expect(stream.destroyed).toBe(true)
  })
})

describe('streamChunks and listeners registered before it', () => {
  it('is not a premature close when an earlier end listener closes the stream (as ssh2 does)', async () => {
    const stream = new PassThrough({ emitClose: false })
    stream.once('end', () => stream.emit('close'))
    stream.end(Buffer.from('abc'))
    const got: Buffer[] = []
    for await (const chunk of streamChunks(stream)) got.push(chunk)
    expect(Buffer.concat(got).toString()).toBe('abc')
  })
})
