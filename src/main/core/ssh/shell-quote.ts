/**
 * Quoting for commands that run through the remote user's login shell. Paths on the VM are
 * arbitrary bytes (newlines, quotes, non-UTF-8), so everything here works on Buffers and the final
 * command is a Buffer that ssh2 sends unchanged.
 *
 * Single quotes keep every byte literal in POSIX shells (sh, dash, bash, ksh, zsh); a single quote
 * itself becomes '\''. The one byte no argument can carry is NUL, so it is refused.
 */

export type CommandPart = string | Buffer

const QUOTE = 0x27

/** A single shell word that the remote shell turns back into exactly `arg`. */
export function shellQuote(arg: CommandPart): Buffer {
  const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg
  if (bytes.includes(0)) throw new TypeError('A shell argument cannot contain a NUL byte')
  // Plain words stay readable in logs and debug output.
  if (bytes.length > 0 && isPlainWord(bytes)) return Buffer.from(bytes)
  const parts: Buffer[] = [Buffer.from("'")]
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === QUOTE) {
      parts.push(bytes.subarray(start, i), Buffer.from("'\\''"))
      start = i + 1
    }
  }
  parts.push(bytes.subarray(start), Buffer.from("'"))
  return Buffer.concat(parts)
}

/** Bytes safe unquoted in every POSIX shell: letters, digits and a few punctuation marks. */
function isPlainWord(bytes: Buffer): boolean {
  for (const b of bytes) {
    const ok =
      (b >= 0x30 && b <= 0x39) || // 0-9
      (b >= 0x41 && b <= 0x5a) || // A-Z
      (b >= 0x61 && b <= 0x7a) || // a-z
      b === 0x2d || // -
      b === 0x5f || // _
      b === 0x2e || // .
      b === 0x2f || // /
      b === 0x2c || // ,
      b === 0x3a || // :
      b === 0x3d || // =
      b === 0x2b || // +
      b === 0x40 // @
    if (!ok) return false
  }
  return true
}

/** Joins already-quoted words and raw shell syntax (operators, redirections) with spaces. */
export function joinShell(words: readonly Buffer[]): Buffer {
  const out: Buffer[] = []
  words.forEach((w, i) => {
    if (i > 0) out.push(Buffer.from(' '))
    out.push(w)
  })
  return Buffer.concat(out)
}

/** Quotes every argument and joins them: one simple command line. */
export function shellCommand(args: readonly CommandPart[]): Buffer {
  return joinShell(args.map(shellQuote))
}

/** Raw shell syntax that must not be quoted (e.g. `2>&1`, `&&`). */
export function raw(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}

/**
 * Wraps a POSIX sh script so it runs under /bin/sh whatever the login shell is, with `args` as
 * its positional parameters ($1, $2, ...). The login shell only has to understand one quoted
 * word per argument, which every POSIX-like shell does.
 */
export function shScript(script: CommandPart, args: readonly CommandPart[] = []): Buffer {
  return joinShell([raw('exec sh -c'), shellQuote(script), raw('sh'), ...args.map(shellQuote)])
}
