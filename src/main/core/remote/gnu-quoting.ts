/**
 * GNU tar and find quote file names in their diagnostics (gnulib's quotearg). With LC_ALL=C every
 * byte outside printable ASCII becomes an escape, so a diagnostic line names a file exactly and can
 * be matched back to the raw bytes Cairn asked for.
 */

const NAMED_ESCAPES: Record<number, string> = {
  0x07: 'a',
  0x08: 'b',
  0x0c: 'f',
  0x0a: 'n',
  0x0d: 'r',
  0x09: 't',
  0x0b: 'v',
  0x5c: '\\',
}

/**
 * How GNU tar (`--quoting-style=escape`, C locale) writes `name` in a diagnostic: tar quotes names
 * with quotearg_colon, so a colon is escaped as well.
 */
export function tarQuote(name: Buffer): string {
  let out = ''
  for (const byte of name) {
    const named = NAMED_ESCAPES[byte]
    if (named !== undefined) out += `\\${named}`
    else if (byte === 0x3a) out += '\\:'
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte)
    else out += `\\${byte.toString(8).padStart(3, '0')}`
  }
  return out
}

/** The raw bytes behind a backslash-escaped name (tar's escape style, find's quoted names). */
export function unescapeQuoted(text: string): Buffer {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch !== 0x5c || i + 1 >= text.length) {
      pushChar(bytes, text[i] as string)
      continue
    }
    const next = text[i + 1] as string
    const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))
    if (octal) {
      bytes.push(parseInt(octal[0], 8) & 0xff)
      i += octal[0].length
      continue
    }
    const named = Object.entries(NAMED_ESCAPES).find(([, letter]) => letter === next)
    bytes.push(named ? Number(named[0]) : next.charCodeAt(0))
    i += 1
  }
  return Buffer.from(bytes)
}

function pushChar(bytes: number[], ch: string): void {
  for (const b of Buffer.from(ch, 'utf8')) bytes.push(b)
}

/**
 * Splits a find diagnostic (`find: '/x/y': Permission denied`) into the named path and the reason.
 * Returns null for lines that name no path.
 */
export function parseFindDiagnostic(line: string): { path: Buffer; reason: string } | null {
  const m = /^find: (['"])(.*)\1: ([^:]+)$/.exec(line)
  if (!m) return null
  return { path: unescapeQuoted(m[2] as string), reason: m[3] as string }
}
