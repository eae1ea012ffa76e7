import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_HETZNER_API_BASE } from '../../../src/shared/domain/settings'
import { atomicWriteFile } from '../../../src/main/core/fs/atomic-write'
import { KnownSecrets } from '../../../src/main/core/secrets/known-secrets'
import { SettingsStore } from '../../../src/main/core/settings/settings-store'

describe('SettingsStore', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-settings-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('starts from defaults without writing, and writes a versioned file on change', async () => {
    const store = new SettingsStore({ dataDir: dir })
    const preferences = {
      notificationLevel: 'all',
      launchAtLogin: false,
      defaultIdleTimeoutMinutes: 30,
    }
    expect(await store.get()).toEqual({
      hetznerApiBase: DEFAULT_HETZNER_API_BASE,
      storage: null,
      preferences,
    })
    expect(await readdir(dir)).toEqual([])
    await store.update((s) => ({ ...s, storage: { kind: 'folder', path: '/srv/backups' } }))
    const onDisk = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))
    expect(onDisk).toEqual({
      schemaVersion: 1,
      hetznerApiBase: DEFAULT_HETZNER_API_BASE,
      storage: { kind: 'folder', path: '/srv/backups' },
      preferences,
    })
    // A new store (next start) reads the same.
    expect(await new SettingsStore({ dataDir: dir }).get()).toEqual({
      hetznerApiBase: DEFAULT_HETZNER_API_BASE,
      storage: { kind: 'folder', path: '/srv/backups' },
      preferences,
    })
    // Only the file itself: no temp files left.
    expect(await readdir(dir)).toEqual(['settings.json'])
  })

  it('runs concurrent updates one after another, losing none', async () => {
    const store = new SettingsStore({ dataDir: dir })
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.update((s) => ({ ...s, hetznerApiBase: `${s.hetznerApiBase.split('#')[0]}#${i}` })),
      ),
    )
    expect((await store.get()).hetznerApiBase).toBe(`${DEFAULT_HETZNER_API_BASE}#9`)
  })

  it('refuses a file from a newer Cairn and leaves it untouched', async () => {
    const newer = JSON.stringify({
      schemaVersion: 7,
      hetznerApiBase: 'https://x.example',
      future: true,
    })
    await writeFile(join(dir, 'settings.json'), newer)
    const store = new SettingsStore({ dataDir: dir })
    await expect(store.get()).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('newer version of Cairn'),
    })
    await expect(store.update((s) => ({ ...s, storage: null }))).rejects.toMatchObject({
      code: 'conflict',
    })
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toBe(newer)
  })

  it('refuses a damaged file without overwriting it', async () => {
    await writeFile(join(dir, 'settings.json'), '{"schemaVersion":1,')
    const store = new SettingsStore({ dataDir: dir })
    await expect(store.get()).rejects.toMatchObject({ message: expect.stringContaining('damaged') })
    await expect(store.update((s) => s)).rejects.toBeTruthy()
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toBe('{"schemaVersion":1,')
  })

  it('never writes a known secret, or anything shaped like a Hetzner token', async () => {
    const known = new KnownSecrets()
    known.add('s3-secret-value-1234')
    const store = new SettingsStore({ dataDir: dir, known })
    await expect(
      store.update((s) => ({ ...s, storage: { kind: 'folder', path: '/x/s3-secret-value-1234' } })),
    ).rejects.toMatchObject({ code: 'invalid_input' })
    const token = 'aB3'.repeat(21) + 'x'
    await expect(
      store.update((s) => ({ ...s, hetznerApiBase: `https://api.example/v1?t=${token}` })),
    ).rejects.toMatchObject({ code: 'invalid_input' })
    expect(await readdir(dir)).toEqual([])
    // Ordinary values are fine, including long hex digests and paths.
    await store.update((s) => ({
      ...s,
      storage: { kind: 'folder', path: `/data/${'ab12'.repeat(16)}` },
    }))
  })
})

describe('atomicWriteFile', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-atomic-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('replaces the file whole and leaves no temp file, even when writes race', async () => {
    const path = join(dir, 'state.json')
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => atomicWriteFile(path, String(i).repeat(10_000 + i))),
    )
    const content = await readFile(path, 'utf8')
    expect(content).toMatch(/^(\d+)$/)
    const i = Array.from({ length: 20 }, (_, n) => n).find(
      (n) => content === String(n).repeat(10_000 + n),
    )
    expect(i).toBeDefined()
    expect(await readdir(dir)).toEqual(['state.json'])
  })

  it('cleans up its temp file when the rename fails', async () => {
    await expect(atomicWriteFile(join(dir, 'no-such-dir', 'x'), 'x')).rejects.toBeTruthy()
    const target = join(dir, 'sub')
    await writeFile(join(dir, 'marker'), '')
    // Renaming a file over a non-empty directory fails.
    await mkdir(join(target, 'child'), { recursive: true })
    await expect(atomicWriteFile(target, 'x')).rejects.toBeTruthy()
    expect((await readdir(dir)).sort()).toEqual(['marker', 'sub'])
  })
})
