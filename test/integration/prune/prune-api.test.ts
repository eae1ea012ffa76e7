import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PruneJobResult } from '../../../src/shared/domain/prune'
import { backupContext } from '../../../src/main/core/api/handlers/backup-context'
import { acquireLease, openSnapshotReader, openWorkspace } from '../../../src/main/core/repo'
import { forgetSnapshots } from '../../../src/main/core/repo/workspace/forget'
import { type Harness, ok, runJob, saveStorage, startHarness } from '../core/core-harness'

// repository.prune through the API on a folder and on the local cloud's S3: dry run, the real
// prune (bytes freed, requests in the job result), the remaining restore points intact (a check
// reading all data), refused while another holder has the lease.

describe.each(['folder', 's3'] as const)('repository.prune on %s', (kind) => {
  let h: Harness
  let dir: string
  let source: string
  const WS = 'prn'

  beforeAll(async () => {
    h = await startHarness()
    dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-prune-it-'))
    source = path.join(dir, 'work')
    fs.mkdirSync(source, { recursive: true })
    fs.writeFileSync(path.join(source, 'stays.bin'), randomBytes(200_000))
    await saveStorage(
      h,
      kind === 'folder'
        ? { kind, path: path.join(dir, 'repo') }
        : { kind, prefix: `prune-it-${randomBytes(4).toString('hex')}` },
    )
    ok(await h.call('repository.init'))
    for (let round = 0; round < 3; round++) {
      fs.writeFileSync(path.join(source, 'changes.bin'), randomBytes(400_000))
      const { job: backup } = await runJob(h, 'backup.start', {
        workspaceId: WS,
        source: { kind: 'local', path: source },
      })
      expect(backup.state).toBe('succeeded')
    }
  }, 60_000)

  afterAll(async () => {
    await h?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('a dry run lists, the prune frees and reports requests, the rest stays intact', async () => {
    const { repo, close } = await backupContext(h.core.services).openRepository()
    try {
      const workspace = await openWorkspace(repo, WS)
      const reader = await openSnapshotReader(workspace)
      const points = (await reader.listSnapshots()).snapshots
      expect(points.length).toBe(3)
      const lease = await acquireLease(workspace, { holder: 'test forget', hostname: 'here' })
      await forgetSnapshots(workspace, [points[0]!.id, points[1]!.id], { lease })
      await lease.release()

      const dry = await runJob<PruneJobResult>(h, 'repository.prune', {
        workspaceId: WS,
        dryRun: true,
      })
      expect(dry.job.state).toBe('succeeded')
      expect(dry.result).toMatchObject({ kind: 'prune', dryRun: true, restorePoints: 1 })
      expect(dry.result.bytesFreed).toBeGreaterThan(700_000)
      expect(dry.result.requests?.delete ?? 0).toBe(0)

      // Refused while another desktop's backup holds the lease.
      const held = await acquireLease(workspace, { holder: 'backup job 9', hostname: 'desk-2' })
      const refused = await runJob(h, 'repository.prune', { workspaceId: WS })
      expect(refused.job.state).toBe('failed')
      expect(refused.job.error?.code).toBe('conflict')
      expect(refused.job.error?.message).toMatch(/backup job 9 on desk-2/)
      await held.release()

      const real = await runJob<PruneJobResult>(h, 'repository.prune', { workspaceId: WS })
      expect(real.job.state).toBe('succeeded')
      expect(real.result.dryRun).toBe(false)
      expect(real.result.bytesFreed).toBeGreaterThan(700_000)
      expect(real.result.requests?.delete).toBeGreaterThan(0)
      expect(real.result.requests?.list).toBeGreaterThan(0)

      const check = await runJob<{ ok: boolean }>(h, 'repository.check', {
        workspaceId: WS,
        readData: 1,
      })
      expect(check.job.state).toBe('succeeded')
      expect(check.result.ok).toBe(true)

      const again = await runJob<PruneJobResult>(h, 'repository.prune', { workspaceId: WS })
      expect(again.result).toMatchObject({ bytesFreed: 0, removedPacks: [], repackedPacks: [] })
    } finally {
      close()
    }
  }, 60_000)
})
