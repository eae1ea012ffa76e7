import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { shellCommand, shellQuote, shScript } from '../../../src/main/core/ssh/shell-quote'

const NASTY = [
  'plain',
  '',
  'with space',
  "it's",
  '\'"$HOME`id`\\n*?[a]{b,c};|&<>()#~!',
  'line\nbreak',
  '-n',
  Buffer.from([0x66, 0xff, 0x6f, 0x27, 0x0a, 0x80]),
]

/** What a POSIX shell makes of the quoted words: printf each argument NUL-terminated. */
function throughShell(command: Buffer): Buffer[] {
  // The script goes in on stdin: arguments of execFileSync would be re-encoded as UTF-8.
  const out = execFileSync('sh', [], {
    input: Buffer.concat([Buffer.from("printf '%s\\0' "), command]),
    encoding: 'buffer',
    env: { LC_ALL: 'C' },
  })
  const parts: Buffer[] = []
  let start = 0
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0) {
      parts.push(out.subarray(start, i))
      start = i + 1
    }
  }
  return parts
}

describe('shellQuote', () => {
  it('turns every byte sequence back into itself in sh', () => {
    const words = NASTY.map((w) => Buffer.from(w))
    expect(throughShell(shellCommand(words))).toEqual(words)
  })

  it('leaves plain words readable and refuses NUL', () => {
    expect(shellQuote('/home/dev/ws').toString()).toBe('/home/dev/ws')
    expect(shellQuote("a'b").toString()).toBe("'a'\\''b'")
    expect(() => shellQuote(Buffer.from([0x61, 0, 0x62]))).toThrow(/NUL/)
  })

  it('shScript passes arguments as positional parameters through a second shell level', () => {
    const args = NASTY.map((w) => Buffer.from(w))
    const script = shScript('for a do printf "%s\\0" "$a"; done', args)
    const out = execFileSync('sh', [], { input: script, encoding: 'buffer' })
    expect(out).toEqual(Buffer.concat(args.flatMap((a) => [a, Buffer.alloc(1)])))
  })
})
