import { invalidInput } from './errors'

// Hetzner's label selector language: comma-joined terms, each one of
//   k=v  k==v  k!=v  k  !k  k in (a,b)  k notin (a,b)
// A resource matches when every term matches.

type Term =
  | { kind: 'eq'; key: string; value: string }
  | { kind: 'neq'; key: string; value: string }
  | { kind: 'exists'; key: string }
  | { kind: 'absent'; key: string }
  | { kind: 'in'; key: string; values: string[] }
  | { kind: 'notin'; key: string; values: string[] }

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = []
  let depth = 0
  let current = ''
  for (const ch of selector) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      terms.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  terms.push(current)
  return terms.map((t) => t.trim())
}

const KEY = String.raw`[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?`
const VALUE = String.raw`[A-Za-z0-9._-]*`

function parseTerm(term: string): Term {
  let m: RegExpMatchArray | null
  if ((m = term.match(new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`)))) {
    const values = (m[4] ?? '').split(',').map((v) => v.trim())
    return { kind: m[3] === 'in' ? 'in' : 'notin', key: m[1] ?? '', values }
  }
  if ((m = term.match(new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`)))) {
    const kind = m[3] === '!=' ? 'neq' : 'eq'
    return { kind, key: m[1] ?? '', value: m[4] ?? '' }
  }
  if ((m = term.match(new RegExp(`^!\\s*(${KEY})$`)))) return { kind: 'absent', key: m[1] ?? '' }
  if ((m = term.match(new RegExp(`^(${KEY})$`)))) return { kind: 'exists', key: m[1] ?? '' }
  throw invalidInput('label_selector', `invalid label selector term: '${term}'`)
}

export function parseLabelSelector(selector: string): (labels: Record<string, string>) => boolean {
  if (selector.trim() === '') return () => true
  const terms = splitTerms(selector).map(parseTerm)
  return (labels) =>
    terms.every((t) => {
      const has = Object.prototype.hasOwnProperty.call(labels, t.key)
      const value = labels[t.key]
      switch (t.kind) {
        case 'eq':
          return has && value === t.value
        case 'neq':
          return !has || value !== t.value
        case 'exists':
          return has
        case 'absent':
          return !has
        case 'in':
          return has && t.values.includes(value ?? '')
        case 'notin':
          return !has || !t.values.includes(value ?? '')
      }
    })
}

const labelName = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/
const labelPrefix = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/
const labelValue = /^([a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?)?$/

/** Validates labels as Hetzner does (key/value syntax, reserved prefix). */
export function validateLabels(labels: unknown): Record<string, string> {
  if (labels === undefined || labels === null) return {}
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw invalidInput('labels', 'must be an object')
  }
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    if (typeof value !== 'string')
      throw invalidInput('labels', `value of '${key}' must be a string`)
    const slash = key.lastIndexOf('/')
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined
    const name = slash >= 0 ? key.slice(slash + 1) : key
    const keyOk =
      labelName.test(name) &&
      (prefix === undefined || (prefix.length <= 253 && labelPrefix.test(prefix))) &&
      !key.startsWith('hetzner.cloud/')
    if (!keyOk) throw invalidInput('labels', `invalid label key '${key}'`)
    if (!labelValue.test(value)) throw invalidInput('labels', `invalid label value for '${key}'`)
    out[key] = value
  }
  return out
}
