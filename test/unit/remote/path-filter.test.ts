import { describe, expect, it } from 'vitest'
import { PathFilter } from '../../../src/main/core/remote/path-filter'
import { backupRules } from '../../../src/main/core/remote/default-rules'
import { buildListCommand } from '../../../src/main/core/remote/list'

describe('PathFilter', () => {
  it('follows gitignore-like rules: anchoring, names at any depth, dir-only, last match wins', () => {
    const f = new PathFilter(['*.log', '/build/', 'docs/*.tmp', '!keep.log', 'cache/'])
    expect(f.excludes('a.log', false)).toBe(true)
    expect(f.excludes('deep/x/a.log', false)).toBe(true)
    expect(f.excludes('deep/keep.log', false)).toBe(false)
    expect(f.excludes('build', true)).toBe(true)
    expect(f.excludes('build', false)).toBe(false)
    expect(f.excludes('src/build', true)).toBe(false)
    expect(f.excludes('docs/a.tmp', false)).toBe(true)
    expect(f.excludes('x/docs/a.tmp', false)).toBe(false)
    expect(f.excludes('x/cache', true)).toBe(true)
    expect(f.excludes('', true)).toBe(false)
  })

  it('default rules keep ssh config and public keys but not private keys or caches', () => {
    const f = new PathFilter(backupRules())
    expect(f.excludes('.ssh/id_ed25519', false)).toBe(true)
    expect(f.excludes('.ssh/work-key', false)).toBe(true)
    expect(f.excludes('.ssh/id_ed25519.pub', false)).toBe(false)
    expect(f.excludes('.ssh/config', false)).toBe(false)
    expect(f.excludes('.ssh/known_hosts', false)).toBe(false)
    expect(f.excludes('.cache', true)).toBe(true)
    expect(f.excludes('proj/node_modules/.cache', true)).toBe(true)
    expect(f.excludes('proj/node_modules', true)).toBe(false)
    expect(f.excludes('proj/.venv', true)).toBe(false)
    expect(f.excludes('a/b/__pycache__', true)).toBe(true)
    expect(f.excludes('.config/gh/hosts.yml', false)).toBe(true)
    expect(
      new PathFilter(backupRules({ secretsPolicy: 'include' })).excludes('.ssh/id_ed25519', false),
    ).toBe(false)
    expect(new PathFilter(backupRules({ userRules: ['!/.cache/'] })).excludes('.cache', true)).toBe(
      false,
    )
  })

  it('pushes only literal rules that no later ! rule can re-include down to find', () => {
    const f = new PathFilter([
      '/.cache/',
      '**/node_modules/.cache/',
      '__pycache__/',
      '/.ssh/*',
      '!/.ssh/config',
      'secret',
      '!x/secret',
    ])
    expect(f.prunableRules().map((r) => [r.kind, r.literal])).toEqual([
      ['path', '.cache'],
      ['deep', 'node_modules/.cache'],
      ['name', '__pycache__'],
    ])
    const cmd = buildListCommand(['/home/dev'], f.prunableRules()).toString()
    expect(cmd).toContain('-type d -path /home/dev/.cache')
    expect(cmd).toContain('-path /home/dev/node_modules/.cache')
    expect(cmd).toContain("-path '\\''/home/dev/*/node_modules/.cache'\\''")
    expect(cmd).toContain('-name __pycache__')
    expect(cmd).not.toContain('secret')
  })

  it('does not prune a starting point that has an excluded name', () => {
    const f = new PathFilter(['__pycache__/'])
    expect(buildListCommand(['/srv/__pycache__'], f.prunableRules()).toString()).not.toContain(
      '-name',
    )
  })
})
