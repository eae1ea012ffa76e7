import { describe, expect, it } from 'vitest'
import { collectBody } from '../../../src/main/core/storage/body-stream'

async function* pieces(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part)
}

describe('collectBody', () => {
  it('reads a body into one buffer of the announced length, byte for byte', async () => {
    const bytes = await collectBody(pieces('hello ', '', 'world'), 11)
    expect(Buffer.from(bytes).toString()).toBe('hello world')
    expect(bytes.byteLength).toBe(11)
  })

  it('gives back only what arrived when the body is shorter (callers check the length)', async () => {
    const bytes = await collectBody(pieces('abc'), 10)
    expect(Buffer.from(bytes).toString()).toBe('abc')
  })

  it('refuses a body longer than announced', async () => {
    await expect(collectBody(pieces('abc', 'def'), 4)).rejects.toThrow(
      /longer than its Content-Length/,
    )
  })

  it('concatenates when no length was announced', async () => {
    expect(Buffer.from(await collectBody(pieces('a', 'b'), undefined)).toString()).toBe('ab')
  })
})
