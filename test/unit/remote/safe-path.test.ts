import { describe, expect, it } from 'vitest'
import {
  isSafeName,
  normalizeRelativePath,
  RestorePathGuard,
} from '../../../src/main/core/remote/safe-path'

const b = (s: string) => Buffer.from(s)

describe('safe restore paths', () => {
  it('normalizes harmless forms and refuses escapes', () => {
    expect(normalizeRelativePath(b('a//./b/'))).toEqual([b('a'), b('b')])
    expect(normalizeRelativePath(b(''))).toEqual([])
    expect(normalizeRelativePath(b('.'))).toEqual([])
    expect(normalizeRelativePath(b('..'))).toMatchObject({ reason: 'dot-dot' })
    expect(normalizeRelativePath(b('a/../b'))).toMatchObject({ reason: 'dot-dot' })
    expect(normalizeRelativePath(b('/etc/passwd'))).toMatchObject({ reason: 'absolute-path' })
    expect(normalizeRelativePath(Buffer.from([0x61, 0, 0x62]))).toMatchObject({
      reason: 'nul-byte',
    })
    expect(normalizeRelativePath(b('...'))).toEqual([b('...')])
    expect(normalizeRelativePath(b('..a'))).toEqual([b('..a')])
  })

  it('judges single names', () => {
    expect(isSafeName(b('ok'))).toBe(true)
    expect(isSafeName(Buffer.from([0xff]))).toBe(true)
    for (const bad of ['', '.', '..', 'a/b']) expect(isSafeName(b(bad))).toBe(false)
  })

  it('refuses writing through symlinks, hard links to unknown files, duplicates and devices', () => {
    const g = new RestorePathGuard([b('planted')])
    const ok = (path: string, type: string, linkTarget?: string) =>
      g.check({ path: b(path), type, linkTarget: linkTarget === undefined ? null : b(linkTarget) })
    expect(ok('', 'dir').ok).toBe(true)
    expect(ok('', 'file')).toMatchObject({ ok: false, reason: 'empty-path' })
    expect(ok('planted/x', 'file')).toMatchObject({ ok: false, reason: 'through-symlink' })
    expect(ok('d', 'dir').ok).toBe(true)
    expect(ok('d/link', 'symlink', '/etc').ok).toBe(true)
    expect(ok('d/link/passwd', 'file')).toMatchObject({ ok: false, reason: 'through-symlink' })
    expect(ok('d/link/a/b', 'dir')).toMatchObject({ ok: false, reason: 'through-symlink' })
    expect(ok('d/link', 'dir')).toMatchObject({ ok: false, reason: 'duplicate' })
    expect(ok('d/f', 'file').ok).toBe(true)
    expect(ok('d/h', 'hardlink', 'd/f').ok).toBe(true)
    expect(ok('d/h2', 'hardlink', 'd/./f').ok).toBe(true)
    expect(ok('d/h3', 'hardlink', 'd/link')).toMatchObject({ ok: false, reason: 'hardlink-target' })
    expect(ok('d/h4', 'hardlink', '/etc/shadow')).toMatchObject({
      ok: false,
      reason: 'hardlink-target',
    })
    expect(ok('d/h5', 'hardlink', 'later')).toMatchObject({ ok: false, reason: 'hardlink-target' })
    expect(ok('d/dev', 'char-device')).toMatchObject({ ok: false, reason: 'unsupported-type' })
    expect(ok('d//f', 'file')).toMatchObject({ ok: false, reason: 'duplicate' })
  })
})
