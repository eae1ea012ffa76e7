/**
 * The small YAML subset Cairn writes into cloud-init user data, emitted by hand so the core needs
 * no YAML library at run time. It is safe because it is narrow:
 * - every string is a double-quoted JSON string (valid YAML 1.1 and 1.2: cloud-init's PyYAML
 *   reads it as the same string, never as a number, boolean or octal), restricted to printable
 *   ASCII so no escape other than `\"` and `\\` can occur;
 * - a multi-line string (a PEM key) is a literal block `|` whose lines are printable ASCII and do
 *   not start with a space;
 * - keys are lower-case identifiers that no YAML version reads as anything but a string;
 * - numbers are safe integers, booleans `true`/`false`.
 * Anything else throws: the caller has a bug, and a broken user data must never reach a server.
 */
export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue }

const PRINTABLE = /^[\x20-\x7e]*$/
const KEY = /^[a-z][a-z0-9_]*$/
/** YAML 1.1 reads these plain scalars as booleans or null. */
const SPECIAL_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null'])

export function toYaml(doc: { [key: string]: YamlValue }): string {
  return mapping(doc, 0).join('\n') + '\n'
}

function mapping(map: { [key: string]: YamlValue }, indent: number): string[] {
  const pad = ' '.repeat(indent)
  const lines: string[] = []
  for (const [key, value] of Object.entries(map)) {
    if (!KEY.test(key) || SPECIAL_WORDS.has(key)) throw new TypeError(`unsafe YAML key ${key}`)
    lines.push(...entry(`${pad}${key}:`, value, indent))
  }
  return lines
}

/** `head` is `key:` or `-`; nested collections go on the following lines. */
function entry(head: string, value: YamlValue, indent: number): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${head} []`]
    return [head, ...sequence(value, indent + 2)]
  }
  if (typeof value === 'object') {
    if (Object.keys(value).length === 0) return [`${head} {}`]
    return [head, ...mapping(value, indent + 2)]
  }
  if (typeof value === 'string' && value.includes('\n'))
    return [`${head} ${block(value, indent + 2)}`]
  return [`${head} ${scalar(value)}`]
}

function sequence(items: YamlValue[], indent: number): string[] {
  const pad = ' '.repeat(indent)
  const lines: string[] = []
  for (const item of items) {
    if (typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
      // "- key: value" with the rest of the mapping aligned under the first key
      const inner = mapping(item, indent + 2)
      lines.push(`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1))
    } else {
      lines.push(...entry(`${pad}-`, item, indent))
    }
  }
  return lines
}

function scalar(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`unsafe YAML number ${value}`)
    return String(value)
  }
  if (!PRINTABLE.test(value)) throw new TypeError('YAML strings must be printable ASCII')
  return JSON.stringify(value)
}

/** A literal block scalar; keeps the text exactly (a final newline or none). */
function block(text: string, indent: number): string {
  const pad = ' '.repeat(indent)
  const body = text.endsWith('\n') ? text.slice(0, -1) : text
  const lines = body.split('\n')
  for (const line of lines) {
    if (!PRINTABLE.test(line) || line.startsWith(' ') || line === '' || line.endsWith(' ')) {
      throw new TypeError('YAML block lines must be non-empty printable ASCII without edge spaces')
    }
  }
  const indicator = text.endsWith('\n') ? '|' : '|-'
  return [indicator, ...lines.map((l) => pad + l)].join('\n')
}
