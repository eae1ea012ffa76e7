const decoder = new TextDecoder('utf-8', { fatal: true })

function escapeByte(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`
}

/**
 * A name (raw bytes) as people can read it in a report, unambiguous and on one line: valid UTF-8
 * is shown as text with control characters as \xNN and a backslash as \\; in a name that is not
 * valid UTF-8, every byte outside printable ASCII is shown as \xNN.
 */
export function displayName(name: Uint8Array): string {
  let text: string
  try {
    text = decoder.decode(name)
  } catch {
    let out = ''
    for (const byte of name) {
      if (byte === 0x5c) out += '\\\\'
      else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte)
      else out += escapeByte(byte)
    }
    return out
  }
  let out = ''
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code === 0x5c) out += '\\\\'
    else if (code < 0x20 || code === 0x7f) out += escapeByte(code)
    else out += char
  }
  return out
}

export function displayPath(components: readonly Uint8Array[]): string {
  return components.map(displayName).join('/')
}
