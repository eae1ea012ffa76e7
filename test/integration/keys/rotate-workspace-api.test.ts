import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePoint } from '../../../src/shared/domain/backup'
import { finished, type Harness, ok, startHarness } from '../core/core-harness'

// keys.rotateWorkspace through dispatch: backups after it use the new key version, every older
// restore point still restores bit-identical.

let h: Harness
let dir: string

beforeAll(async () => {
  h = await startHarness()
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-rotate-api-'))
})

afterAll(async () => {
  await h?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('keys.rotateWorkspace', () => {
  it('rotates; new backups use the new version; old restore points restore', async () => {
    const folder = path.join(dir, 'repo')
    const source = path.join(dir, 'src')
    fs.mkdirSync(folder)
    fs.mkdirSync(source)
    ok(await h.call('storage.save', { config: { kind: 'folder', path: folder } }))
    ok(await h.call('repository.init'))

    const missing = await h.call('keys.rotateWorkspace', { workspaceId: 'ws' })
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error.code).toBe('not_found')

    const contents: Buffer[] = []
    for (let round = 0; round < 2; round++) {
      contents.push(Buffer.from(`round ${round}\n`.repeat(5000 + round)))
      fs.writeFileSync(path.join(source, 'data.bin'), contents[round]!)
      const job = ok<Job>(
        await h.call('backup.start', {
          workspaceId: 'ws',
          source: { kind: 'local', path: source },
        }),
      )
      expect((await finished(h, job.id)).state).toBe('succeeded')
      if (round === 0) {
        expect(ok(await h.call('keys.rotateWorkspace', { workspaceId: 'ws' }))).toEqual({
          workspaceId: 'ws',
          keyVersion: 2,
        })
      }
    }
    expect(fs.readdirSync(path.join(folder, 'workspaces/ws/keys')).sort()).toEqual([
      '00000001',
      '00000002',
    ])
    const { restorePoints } = ok<{ restorePoints: RestorePoint[] }>(
      await h.call('restorePoints.list', { workspaceId: 'ws' }),
    )
    expect(restorePoints).toHaveLength(2)
    for (const [round, point] of restorePoints.entries()) {
      const target = path.join(dir, `restored-${round}`)
      const job = ok<Job>(
        await h.call('restore.start', {
          workspaceId: 'ws',
          restorePoint: point.id,
          target: { kind: 'local', path: target },
        }),
      )
      expect((await finished(h, job.id)).state).toBe('succeeded')
      expect(fs.readFileSync(path.join(target, 'data.bin')).equals(contents[round]!)).toBe(true)
    }
  })
})
