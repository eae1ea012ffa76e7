const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * A name (raw bytes) as people can read it in a report: UTF-8 when it is valid UTF-8 without
 * control characters; otherwise those bytes are written as \xNN (and a backslash as \\), so the
 * output is unambiguous and one line.
 */
export function displayName(name: Uint8Array): string {
  let text: string | null = null
  try {
    text = decoder.decode(name)
  } catch {
    text = null
  }
  if (text !== null && !/[\u0000-\u001f\u007f\\]/.test(text)) return text
  let out = ''
  for (const byte of name) {
    if (byte === 0x5c) out += '\\\\'
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte)
    else out += `\\x${byte.toString(16).padStart(2, '0')}`
  }
  return out
}

export function displayPath(components: readonly Uint8Array[]): string {
  return components.map(displayName).join('/')
}
