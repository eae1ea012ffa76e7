import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import {
  newWorkspaceId,
  REGISTRY_FILE,
  WorkspaceRegistry,
} from '../../../src/main/core/workspaces/registry'
import { workspaceRecord } from '../../support/workspace-record'

function record(name: string, over: Partial<WorkspaceRecord> = {}): WorkspaceRecord {
  return workspaceRecord({ name, createdAt: '2026-01-01T00:00:00.000Z', ...over })
}

describe('WorkspaceRegistry', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-registry-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes a schema-versioned file atomically (no temp file left) that a new instance reads back', async () => {
    const registry = new WorkspaceRegistry(dir)
    const a = await registry.add(record('alpha'))
    await registry.update(a.id, (r) => {
      r.excludes = ['node_modules']
    })
    await registry.setReconciledAt('2026-02-02T00:00:00.000Z')
    expect(await readdir(dir)).toEqual([REGISTRY_FILE])
    const doc = JSON.parse(await readFile(join(dir, REGISTRY_FILE), 'utf8')) as {
      schemaVersion: number
      workspaces: WorkspaceRecord[]
    }
    expect(doc.schemaVersion).toBe(1)
    expect(doc.workspaces.map((w) => w.name)).toEqual(['alpha'])
    const again = new WorkspaceRegistry(dir)
    expect((await again.require(a.id)).excludes).toEqual(['node_modules'])
    expect(await again.getReconciledAt()).toBe('2026-02-02T00:00:00.000Z')
  })

  it('refuses a file written by a newer Cairn and leaves it untouched', async () => {
    const text = JSON.stringify({ schemaVersion: 2, workspaces: [], future: true })
    await writeFile(join(dir, REGISTRY_FILE), text)
    const registry = new WorkspaceRegistry(dir)
    await expect(registry.list()).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('newer Cairn'),
    })
    await expect(registry.add(record('alpha'))).rejects.toMatchObject({ code: 'conflict' })
    expect(await readFile(join(dir, REGISTRY_FILE), 'utf8')).toBe(text)
  })

  it('says what to do with a damaged file (not JSON, or not the schema)', async () => {
    for (const text of [
      '{"schemaVersion":1,"workspaces":[',
      '{"schemaVersion":1,"workspaces":[{}]}',
    ]) {
      await writeFile(join(dir, REGISTRY_FILE), text)
      await expect(new WorkspaceRegistry(dir).list()).rejects.toMatchObject({
        code: 'internal',
        message: expect.stringMatching(/is damaged\. Move it aside and choose Reconcile/),
      })
      expect(await readFile(join(dir, REGISTRY_FILE), 'utf8')).toBe(text)
    }
  })

  it('serializes concurrent updates: none is lost', async () => {
    const registry = new WorkspaceRegistry(dir)
    const a = await registry.add(record('alpha'))
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        registry.update(a.id, (r) => {
          r.excludes = [...r.excludes, `rule-${i}`]
        }),
      ),
    )
    const after = await new WorkspaceRegistry(dir).require(a.id)
    expect(after.excludes).toHaveLength(20)
    expect(new Set(after.excludes).size).toBe(20)
  })

  it('keeps names unique on add and on rename, and a failed change leaves the file as it was', async () => {
    const registry = new WorkspaceRegistry(dir)
    const a = await registry.add(record('alpha'))
    await registry.add(record('beta'))
    await expect(registry.add(record('alpha'))).rejects.toMatchObject({ code: 'conflict' })
    await expect(
      registry.update(a.id, (r) => {
        r.name = 'beta'
      }),
    ).rejects.toMatchObject({ code: 'conflict' })
    const before = await readFile(join(dir, REGISTRY_FILE), 'utf8')
    await expect(
      registry.update(a.id, (r) => {
        r.paths = []
      }),
    ).rejects.toThrow()
    expect(await readFile(join(dir, REGISTRY_FILE), 'utf8')).toBe(before)
    expect((await registry.list()).map((r) => r.name).sort()).toEqual(['alpha', 'beta'])
  })

  it('tells listeners about each committed change, and removal as null', async () => {
    const registry = new WorkspaceRegistry(dir)
    const seen: Array<[string, string | null]> = []
    registry.onChange((id, r) => seen.push([id, r?.state ?? null]))
    const a = await registry.add(record('alpha'))
    await registry.update(a.id, (r) => {
      r.state = 'starting'
    })
    await registry.remove(a.id)
    expect(seen).toEqual([
      [a.id, 'stopped'],
      [a.id, 'starting'],
      [a.id, null],
    ])
  })

  it('makes ids that are valid labels and distinct', () => {
    const ids = new Set(Array.from({ length: 1000 }, newWorkspaceId))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^ws-[0-9a-hjkmnp-tv-z]{16}$/)
  })
})
