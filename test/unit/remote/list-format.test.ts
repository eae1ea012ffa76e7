import { describe, expect, it } from 'vitest'
import { ListRecordParser, parseTimestampNs } from '../../../src/main/core/remote/list-format'

function record(head: string, link: Buffer | string, rel: Buffer | string): Buffer {
  return Buffer.concat([
    Buffer.from(head),
    Buffer.alloc(1),
    Buffer.from(link),
    Buffer.alloc(1),
    Buffer.from(rel),
    Buffer.alloc(1),
  ])
}

describe('ListRecordParser', () => {
  const stream = Buffer.concat([
    record(
      'd 755 1000 1000 4096 1700000000.1234567890 1700000001.0000000000 2 64768 3 8 0',
      '',
      '',
    ),
    record(
      'f 4755 1000 1000 12 -315619200.5000000000 1700000001.0000000000 18446744073709551615 64768 1 8 1',
      '',
      Buffer.from([0x61, 0x0a, 0xff]),
    ),
    record(
      'l 777 0 0 7 1700000000.0000000000 1700000000.0000000000 5 64768 1 0 1',
      'x\ny z',
      'link',
    ),
  ])

  it('parses records split at any byte', () => {
    for (const step of [1, 3, 17, stream.length]) {
      const parser = new ListRecordParser()
      const records = []
      for (let i = 0; i < stream.length; i += step)
        records.push(...parser.push(stream.subarray(i, i + step)))
      parser.end()
      expect(records).toHaveLength(3)
      expect(records[0]).toMatchObject({
        type: 'dir',
        mode: 0o755,
        depth: 0,
        mtimeNs: 1_700_000_000_123_456_789n,
        relPath: Buffer.alloc(0),
        linkTarget: null,
      })
      expect(records[1]).toMatchObject({
        type: 'file',
        mode: 0o4755,
        size: 12,
        inode: 18446744073709551615n,
        relPath: Buffer.from([0x61, 0x0a, 0xff]),
      })
      expect(records[1]?.mtimeNs).toBe(-315_619_200n * 1_000_000_000n + 500_000_000n)
      expect(records[2]?.linkTarget?.toString()).toBe('x\ny z')
    }
  })

  it('refuses a stream cut inside a record', () => {
    const parser = new ListRecordParser()
    parser.push(stream.subarray(0, stream.length - 2))
    expect(() => parser.end()).toThrow(/middle of a record/)
  })

  it('reads find timestamps', () => {
    expect(parseTimestampNs('1.5')).toBe(1_500_000_000n)
    expect(parseTimestampNs('0')).toBe(0n)
    expect(() => parseTimestampNs('abc')).toThrow()
  })
})
