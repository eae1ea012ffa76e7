// Source-code-like text for the generated dataset. It compresses about like real code (3-5x with
// zstd/brotli): a skewed vocabulary of identifiers, keywords, indentation and comments, but every
// file different, so deduplication finds nothing that a real workspace would not offer.
import type { Rng } from './random'

const SYLLABLES = [
  'ac',
  'add',
  'al',
  'an',
  'app',
  'ar',
  'at',
  'back',
  'bl',
  'buf',
  'c',
  'cache',
  'ch',
  'cl',
  'co',
  'con',
  'count',
  'cr',
  'cur',
  'data',
  'de',
  'del',
  'di',
  'do',
  'e',
  'el',
  'en',
  'er',
  'ev',
  'ex',
  'f',
  'fi',
  'file',
  'fl',
  'for',
  'get',
  'h',
  'han',
  'i',
  'id',
  'in',
  'is',
  'it',
  'item',
  'j',
  'k',
  'key',
  'l',
  'le',
  'li',
  'list',
  'lo',
  'load',
  'm',
  'ma',
  'map',
  'me',
  'mo',
  'n',
  'name',
  'ne',
  'no',
  'node',
  'o',
  'on',
  'op',
  'or',
  'out',
  'p',
  'pa',
  'par',
  'path',
  'pe',
  'po',
  'pro',
  'q',
  'r',
  're',
  'read',
  'res',
  'ro',
  's',
  'se',
  'set',
  'si',
  'so',
  'st',
  'state',
  'str',
  't',
  'te',
  'ti',
  'to',
  'tr',
  'u',
  'un',
  'up',
  'user',
  'v',
  'val',
  'view',
  'w',
  'wr',
  'x',
  'y',
  'z',
]

const KEYWORDS_TS = [
  'const',
  'let',
  'return',
  'if',
  'else',
  'await',
  'async',
  'new',
  'throw',
  'for',
]
const TYPES = [
  'string',
  'number',
  'boolean',
  'Buffer',
  'Promise<void>',
  'unknown',
  'Record<string, number>',
]
const WORDS = [
  'the',
  'a',
  'of',
  'to',
  'is',
  'and',
  'when',
  'this',
  'that',
  'value',
  'file',
  'so',
  'not',
  'we',
  'it',
  'be',
  'for',
  'with',
  'on',
  'in',
  'if',
  'only',
  'once',
  'each',
  'every',
  'before',
  'after',
  'keeps',
  'returns',
  'reads',
  'writes',
  'cache',
  'state',
  'request',
  'user',
  'error',
  'retry',
]

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** A vocabulary of identifiers for one project (shared by its files, as in real code). */
export function makeVocabulary(rng: Rng, size = 4000): string[] {
  const seen = new Set<string>()
  while (seen.size < size) {
    const n = rng.int(1, 3)
    let id = rng.pick(SYLLABLES)
    for (let i = 1; i < n; i++) id += capitalize(rng.pick(SYLLABLES))
    seen.add(id)
  }
  return [...seen]
}

function comment(rng: Rng, indent: string, marker: string): string {
  const n = rng.int(4, 14)
  const words: string[] = []
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS))
  if (rng.next() < 0.3) words.push(String(rng.int(0, 9999)))
  return `${indent}${marker} ${capitalize(words.join(' '))}.`
}

function tsLine(rng: Rng, vocab: readonly string[], indent: string): string {
  const id = () => rng.pickSkewed(vocab)
  const r = rng.next()
  if (r < 0.18) return `${indent}const ${id()} = ${id()}.${id()}(${id()}, ${rng.int(0, 4096)})`
  if (r < 0.3)
    return `${indent}if (${id()} ${rng.pick(['===', '!==', '<', '>='])} ${id()}) return ${id()}`
  if (r < 0.4) return `${indent}${id()}.${id()} = '${id()}-${rng.int(0, 999)}'`
  if (r < 0.48) return `${indent}${rng.pick(KEYWORDS_TS)} ${id()}(${id()}: ${rng.pick(TYPES)})`
  if (r < 0.56) return comment(rng, indent, '//')
  if (r < 0.64) return `${indent}await this.${id()}.${id()}({ ${id()}, ${id()}: ${id()} })`
  if (r < 0.72) return `${indent}for (const ${id()} of ${id()}.${id()}) ${id()}.push(${id()})`
  if (r < 0.8)
    return `${indent}throw new Error(\`${capitalize(rng.pick(WORDS))} ${id()} \${${id()}}\`)`
  if (r < 0.9)
    return `${indent}${id()} += ${id()}[${rng.int(0, 64)}] ?? 0x${rng.u32().toString(16)}`
  return `${indent}return { ${id()}: ${id()}, ${id()}: ${rng.next() < 0.5} }`
}

/** About `bytes` of TypeScript-like source (a header of imports, then functions). */
export function sourceText(rng: Rng, vocab: readonly string[], bytes: number): string {
  const lines: string[] = []
  let size = 0
  const push = (line: string) => {
    lines.push(line)
    size += line.length + 1
  }
  const imports = rng.int(1, 8)
  for (let i = 0; i < imports && size < bytes; i++) {
    push(
      `import { ${rng.pickSkewed(vocab)}, ${rng.pickSkewed(vocab)} } from '${rng.next() < 0.5 ? './' : '../'}${rng.pickSkewed(vocab)}'`,
    )
  }
  push('')
  while (size < bytes) {
    if (rng.next() < 0.3) push(comment(rng, '', '//'))
    push(
      `export ${rng.next() < 0.4 ? 'async ' : ''}function ${rng.pickSkewed(vocab)}(${rng.pickSkewed(vocab)}: ${rng.pick(TYPES)}) {`,
    )
    const body = rng.int(3, 25)
    let depth = 1
    for (let i = 0; i < body && size < bytes; i++) {
      const indent = '  '.repeat(depth)
      push(tsLine(rng, vocab, indent))
      if (depth < 4 && rng.next() < 0.1) {
        push(`${indent}if (${rng.pickSkewed(vocab)}) {`)
        depth++
      } else if (depth > 1 && rng.next() < 0.2) {
        depth--
        push(`${'  '.repeat(depth)}}`)
      }
    }
    while (depth > 1) push(`${'  '.repeat(--depth)}}`)
    push('}')
    push('')
  }
  return lines.join('\n')
}

/** Log lines with timestamps (very compressible, like real logs). */
export function logText(
  rng: Rng,
  vocab: readonly string[],
  bytes: number,
  startMs: number,
): string {
  const lines: string[] = []
  let size = 0
  let t = startMs
  while (size < bytes) {
    t += rng.int(0, 2000)
    const line = `${new Date(t).toISOString()} ${rng.pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'])} [${rng.pickSkewed(vocab)}] ${rng.pick(WORDS)} ${rng.pickSkewed(vocab)}=${rng.int(0, 100000)} took ${rng.int(0, 900)}ms`
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n') + '\n'
}

/** Prose (READMEs, docs). */
export function proseText(rng: Rng, bytes: number): string {
  const out: string[] = []
  let size = 0
  while (size < bytes) {
    const line = comment(rng, '', rng.next() < 0.1 ? '##' : '').trimStart()
    out.push(line)
    size += line.length + 1
  }
  return out.join('\n') + '\n'
}
