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
  const test = picomatch(text, { dot: true })
  return {
    source,
    include,
    dirOnly,
    anchored,
    pattern: text,
    literal: !GLOB_CHARS.test(text),
    test,
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
   * patterns that no later `!` rule could re-include. Everything else is matched on the desktop.
   */
  prunableRules(): Rule[] {
    const out: Rule[] = []
    this.rules.forEach((rule, index) => {
      if (rule.include || !rule.literal) return
      const later = this.rules.slice(index + 1).filter((r) => r.include)
      const reincluded = later.some((inc) => {
        if (rule.anchored) {
          return inc.test(inc.anchored ? rule.pattern : lastSegment(rule.pattern))
        }
        if (!inc.anchored) return inc.test(rule.pattern)
        const last = lastSegment(inc.pattern)
        return last.includes('**') || picomatch(last, { dot: true })(rule.pattern)
      })
      if (!reincluded) out.push(rule)
    })
    return out
  }
}

function lastSegment(pattern: string): string {
  const slash = pattern.lastIndexOf('/')
  return slash < 0 ? pattern : pattern.slice(slash + 1)
}
