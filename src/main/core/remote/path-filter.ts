import picomatch from 'picomatch'

/**
 * Include/exclude rules, gitignore-like so they read the way developers expect:
 * - one glob per rule (picomatch syntax, dotfiles matched by `*`); a rule starting with `!`
 *   re-includes what an earlier rule excluded; the last matching rule wins;
 * - a rule with a `/` at the start or in the middle is anchored at the backed-up path
 *   (`/.cache/`, `src/gen/*.js`); a rule without one matches the name at any depth (`*.tmp`);
 * - a trailing `/` matches directories only;
 * - an excluded directory is skipped with everything below it (a later `!` rule cannot reach into
 *   it, as in .gitignore), which is what lets `find` prune it on the VM.
 * Names are matched as UTF-8 text; bytes that are not UTF-8 only match wildcards.
 */
export interface Rule {
  readonly source: string
  readonly include: boolean
  readonly dirOnly: boolean
  readonly anchored: boolean
  /** The glob without `!`, leading `/` and trailing `/`. */
  readonly pattern: string
  /** The pattern has no glob syntax: it names exactly one path (anchored) or one name. */
  readonly literal: boolean
  readonly test: (text: string) => boolean
}

/** A rule find applies: `path` anchored at each root, `name` at any depth, `deep` = `**\/path`. */
export interface Prune {
  kind: 'path' | 'name' | 'deep'
  literal: string
  dirOnly: boolean
  source: string
}

const GLOB_CHARS = /[*?[\]{}()!+@\\]/

export function parseRule(source: string): Rule {
  let text = source.trim()
  const include = text.startsWith('!')
  if (include) text = text.slice(1)
  const dirOnly = text.endsWith('/')
  text = text.replace(/\/+$/, '')
  const anchored = text.includes('/')
  text = text.replace(/^\/+/, '')
  if (text === '') throw new TypeError(`The rule "${source}" matches nothing`)
  const literal = !GLOB_CHARS.test(text)
  return {
    source,
    include,
    dirOnly,
    anchored,
    pattern: text,
    literal,
    test: fastTest(text, literal),
  }
}

export class PathFilter {
  readonly rules: readonly Rule[]

  constructor(rules: readonly string[]) {
    this.rules = rules.filter((r) => r.trim() !== '' && !r.trim().startsWith('#')).map(parseRule)
  }

  /** Whether the entry at `relPath` (relative to its backed-up path, no leading `/`) is excluded. */
  excludes(relPath: string, isDir: boolean): boolean {
    if (relPath === '') return false
    const slash = relPath.lastIndexOf('/')
    const name = slash < 0 ? relPath : relPath.slice(slash + 1)
    let excluded = false
    for (const rule of this.rules) {
      if (rule.dirOnly && !isDir) continue
      if (rule.test(rule.anchored ? relPath : name)) excluded = !rule.include
    }
    return excluded
  }

  /**
   * Exclude rules that `find` can apply itself (prune) without changing the outcome: literal
   * patterns (anchored, a bare name, or `**\/` + a literal path) that no later `!` rule could
   * re-include. Everything else is matched on the desktop.
   */
  prunableRules(): Prune[] {
    const out: Prune[] = []
    this.rules.forEach((rule, index) => {
      if (rule.include) return
      const deep = rule.pattern.startsWith('**/') ? rule.pattern.slice(3) : null
      const kind = rule.literal
        ? rule.anchored
          ? 'path'
          : 'name'
        : deep !== null && !GLOB_CHARS.test(deep)
          ? 'deep'
          : null
      if (kind === null) return
      const literal = kind === 'deep' ? (deep as string) : rule.pattern
      const later = this.rules.slice(index + 1).filter((r) => r.include)
      const reincluded = later.some((inc) => {
        if (kind === 'path') return inc.test(inc.anchored ? literal : lastSegment(literal))
        if (!inc.anchored) return inc.test(lastSegment(literal))
        const last = lastSegment(inc.pattern)
        return last.includes('**') || picomatch(last, { dot: true })(lastSegment(literal))
      })
      if (!reincluded) out.push({ kind, literal, dirOnly: rule.dirOnly, source: rule.source })
    })
    return out
  }
}

/**
 * picomatch behind cheap rejections: most rules are literal, or have a literal directory prefix or
 * a literal last segment, and most paths fail those at once (50k paths x 50 rules add up).
 */
function fastTest(pattern: string, literal: boolean): (text: string) => boolean {
  if (literal) return (text) => text === pattern
  const glob = picomatch(pattern, { dot: true })
  const firstGlob = pattern.search(GLOB_CHARS)
  const prefix = pattern.slice(0, pattern.lastIndexOf('/', firstGlob) + 1)
  const last = lastSegment(pattern)
  const literalLast = GLOB_CHARS.test(last) ? null : last
  return (text) => {
    if (prefix !== '' && !text.startsWith(prefix)) return false
    if (literalLast !== null && text !== literalLast && !text.endsWith(`/${literalLast}`)) {
      return false
    }
    return glob(text)
  }
}

function lastSegment(pattern: string): string {
  const slash = pattern.lastIndexOf('/')
  return slash < 0 ? pattern : pattern.slice(slash + 1)
}
