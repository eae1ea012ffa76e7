import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobResult } from '../../../src/shared/domain/backup'
import type { RepairIndexResult } from '../../../src/shared/domain/check'
import type { WorkspaceCheck } from '../../../src/shared/domain/check'
import type { RequestCountsView } from '../../../src/shared/domain/costs'
import { backupContext } from '../../../src/main/core/api/handlers/backup-context'
import { acquireLease, openWorkspace } from '../../../src/main/core/repo'
import { type Harness, ok, runJob, saveStorage, startHarness } from '../core/core-harness'

// repository.check and repository.repairIndex through the API, on a folder and on the local
// cloud's S3: a healthy repository, a lost index (blobs missing, named with restore points and
// files; the packs are orphans), the repair under the lease, and the requests in job results.

interface CheckResult {
  kind: 'check'
  ok: boolean
  workspaces: WorkspaceCheck[]
  requests?: RequestCountsView
}

describe.each(['folder', 's3'] as const)('check and repair on %s', (kind) => {
  let h: Harness
  let dir: string
  let source: string
  const WS = 'chk'

  beforeAll(async () => {
    h = await startHarness()
    dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-check-it-'))
    source = path.join(dir, 'work')
    fs.mkdirSync(path.join(source, 'src'), { recursive: true })
    fs.writeFileSync(path.join(source, 'src', 'main.ts'), randomBytes(200_000))
    fs.writeFileSync(path.join(source, 'README.md'), 'hello\n'.repeat(1000))
    await saveStorage(
      h,
      kind === 'folder'
        ? { kind, path: path.join(dir, 'repo') }
        : { kind, prefix: `check-it-${randomBytes(4).toString('hex')}` },
    )
    ok(await h.call('repository.init'))
    for (const round of [1, 2]) {
      fs.writeFileSync(path.join(source, 'round.txt'), `round ${round}\n`)
      const { job: backup, result } = await runJob(h, 'backup.start', {
        workspaceId: WS,
        source: { kind: 'local', path: source },
      })
      expect(backup.state).toBe('succeeded')
      expect((result as { requests?: RequestCountsView }).requests?.put).toBeGreaterThan(0)
    }
  }, 30_000)

  afterAll(async () => {
    await h?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('finds a healthy repository healthy, reading all data when asked', async () => {
    const { job: check, result } = await runJob(h, 'repository.check', {
      workspaceId: WS,
      readData: 1,
    })
    expect(check.state).toBe('succeeded')
    const report = result as CheckResult
    expect(report.kind).toBe('check')
    expect(report.ok).toBe(true)
    expect(report.workspaces[0]).toMatchObject({ workspaceId: WS, restorePoints: 2, problems: [] })
    expect(report.workspaces[0]!.bytesChecked).toBeGreaterThan(200_000)
    expect(report.requests?.get).toBeGreaterThan(0)
    expect(report.requests?.put).toBe(0) // a check writes nothing
  })

  it('reports a lost index with the restore points and files, then rebuilds it from the packs', async () => {
    const { repo, close } = await backupContext(h.core.services).openRepository()
    try {
      const workspace = await openWorkspace(repo, WS)
      for await (const o of repo.store.list(workspace.paths.index)) await repo.store.delete(o.key)

      const { job: check, result } = await runJob(h, 'repository.check', {})
      expect(check.state).toBe('failed')
      expect(check.error?.code).toBe('storage_failed')
      const report = (result as CheckResult).workspaces[0]!
      expect(report.ok).toBe(false)
      expect(report.orphanPacks.length).toBeGreaterThan(0)
      const missing = report.problems.filter((p) => p.kind === 'missing' || p.kind === 'tree')
      expect(missing.length).toBeGreaterThan(0)
      expect(new Set(missing.flatMap((p) => p.restorePoints)).size).toBe(2)

      // While another writer holds the lease, the repair waits its turn (refused, nothing done).
      const lease = await acquireLease(workspace, { holder: 'backup job 77', hostname: 'desk-2' })
      const refused = await runJob(h, 'repository.repairIndex', { workspaceId: WS })
      expect(refused.job.state).toBe('failed')
      expect(refused.job.error?.code).toBe('conflict')
      expect(refused.job.error?.message).toMatch(/backup job 77 on desk-2/)
      await lease.release()

      const { job: repair, result: repaired } = await runJob(h, 'repository.repairIndex', {
        workspaceId: WS,
      })
      expect(repair.state).toBe('succeeded')
      const added = repaired as RepairIndexResult
      expect(added.indexed.map((p) => p.id).sort()).toEqual(
        report.orphanPacks.map((p) => p.id).sort(),
      )
      expect(added.failed).toEqual([])
      expect(added.requests?.delete).toBe(1) // its own lease; never data

      const again = await runJob(h, 'repository.check', { workspaceId: WS, readData: 1 })
      expect(again.job.state).toBe('succeeded')
      expect((again.result as CheckResult).workspaces[0]).toMatchObject({
        ok: true,
        orphanPacks: [],
      })
    } finally {
      close()
    }
  })

  it('puts the requests of verify and restore jobs into their results', async () => {
    const verify = await runJob(h, 'verify.start', { workspaceId: WS, restorePoint: 'latest' })
    expect(verify.job.state).toBe('succeeded')
    expect((verify.result as { requests?: RequestCountsView }).requests?.get).toBeGreaterThan(0)
    const target = path.join(dir, `restored-${kind}`)
    const restore = await runJob(h, 'restore.start', {
      workspaceId: WS,
      restorePoint: 'latest',
      target: { kind: 'local', path: target },
    })
    expect(restore.job.state, restore.job.error?.message).toBe('succeeded')
    const counts = (restore.result as JobResult & { requests?: RequestCountsView }).requests!
    expect(counts.get).toBeGreaterThan(0)
    expect(counts.bytesDown).toBeGreaterThan(0)
    expect(counts.put).toBe(0)
    expect(fs.readFileSync(path.join(target, 'round.txt'), 'utf8')).toBe('round 2\n')
  })
})
