import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { JobResult, RestorePointList } from '../../../src/shared/domain/backup'
import type { DownloadOutput } from '../../../src/shared/domain/restore-ui'
import { runningWorkspace, type RunningWorkspace } from '../workspaces/running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from '../workspaces/workspace-harness'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('restore point panel: download and restore into the running workspace', () => {
  let h: WorkspaceHarness
  let ws: RunningWorkspace
  let downloads: string
  let pointId: string

  beforeAll(async () => {
    downloads = await mkdtemp(join(tmpdir(), 'cairn-downloads-'))
    process.env.CAIRN_DOWNLOADS_DIR = downloads
    h = await startWorkspaceHarness()
    ws = await runningWorkspace(h)
    const job = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
    expect((await h.finished(job.id)).state).toBe('succeeded')
    const list = await h.ok<RestorePointList>('restorePoints.list', { workspaceId: ws.record.id })
    pointId = list.restorePoints[0]!.id
  })

  afterAll(async () => {
    delete process.env.CAIRN_DOWNLOADS_DIR
    await h?.close({ remove: true })
    await rm(downloads, { recursive: true, force: true })
  })

  it('downloads a file with its exact bytes to a name of its own, never overwriting', async () => {
    await writeFile(join(downloads, 'blob.bin'), 'mine, keep me')
    const first = await h.ok<DownloadOutput>('restorePoints.download', {
      workspaceId: ws.record.id,
      restorePoint: pointId,
      path: 'project/blob.bin',
    })
    expect(first).toMatchObject({ folder: downloads, type: 'file' })
    expect(first.savedTo).toBe(join(downloads, 'blob (2).bin'))
    // A second download while the first may still run gets yet another name.
    const second = await h.ok<DownloadOutput>('restorePoints.download', {
      workspaceId: ws.record.id,
      restorePoint: pointId,
      path: 'project/blob.bin',
    })
    expect(second.savedTo).toBe(join(downloads, 'blob (3).bin'))
    for (const d of [first, second]) {
      expect((await h.finished(d.job.id)).state).toBe('succeeded')
      expect(sha(await readFile(d.savedTo))).toBe(ws.files.get('project/blob.bin'))
      expect(await h.ok<JobResult>('jobs.result', { id: d.job.id })).toMatchObject({
        kind: 'restore',
        savedTo: d.savedTo,
      })
    }
    expect(await readFile(join(downloads, 'blob.bin'), 'utf8')).toBe('mine, keep me')
    // No staging folder is left behind.
    expect((await readdir(downloads)).sort()).toEqual(['blob (2).bin', 'blob (3).bin', 'blob.bin'])
  })

  it('downloads a folder into a chosen folder, and refuses what is not there', async () => {
    const target = await mkdtemp(join(tmpdir(), 'cairn-dl-target-'))
    try {
      const out = await h.ok<DownloadOutput>('restorePoints.download', {
        workspaceId: ws.record.id,
        restorePoint: pointId,
        path: 'project',
        targetDir: target,
      })
      expect(out).toMatchObject({ savedTo: join(target, 'project'), type: 'dir' })
      expect((await h.finished(out.job.id)).state).toBe('succeeded')
      for (const [path, hash] of ws.files) {
        if (!path.startsWith('project/')) continue
        expect(sha(await readFile(join(target, path)))).toBe(hash)
      }
      const missing = await h.call('restorePoints.download', {
        workspaceId: ws.record.id,
        restorePoint: pointId,
        path: 'project/nope.txt',
        targetDir: target,
      })
      expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } })
      const relative = await h.call('restorePoints.download', {
        workspaceId: ws.record.id,
        restorePoint: pointId,
        path: 'notes.txt',
        targetDir: 'relative/dir',
      })
      expect(relative).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
      expect((await readdir(target)).sort()).toEqual(['project'])
    } finally {
      await rm(target, { recursive: true, force: true })
    }
  })

  it('restores into the running workspace after a before-restore safety backup', async () => {
    await ws.ssh('echo changed > ~/project/src/main.ts && rm ~/project/README.md')
    await ws.ssh('echo new > ~/project/added.txt')
    const job = await h.ok<Job>('workspaces.restore', {
      id: ws.record.id,
      restorePoint: pointId,
      include: ['project'],
      overwrite: true,
    })
    expect(job).toMatchObject({ kind: 'restore', workspaceId: ws.record.id })
    // Busy: a second mutating request is refused while it runs.
    const again = await h.call('workspaces.restore', {
      id: ws.record.id,
      restorePoint: pointId,
      overwrite: true,
    })
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } })
    const done = await h.finished(job.id)
    expect(done.error).toBeNull()
    const phases = h.jobEvents(job.id).map((j) => j.phase)
    expect(phases.some((p) => p.startsWith('safety backup: '))).toBe(true)
    expect(phases).toContain('restoring files')

    for (const [path, hash] of ws.files) {
      const b64 = await ws.ssh(`base64 -w0 ~/${path}`)
      expect(sha(Buffer.from(b64, 'base64')), path).toBe(hash)
    }
    // Files only the workspace has stay.
    expect(await ws.ssh('cat ~/project/added.txt')).toBe('new\n')

    const list = await h.ok<RestorePointList>('restorePoints.list', { workspaceId: ws.record.id })
    const safety = list.restorePoints.find((p) => p.trigger === 'before-restore')
    expect(safety).toBeDefined()
    const result = await h.ok<JobResult>('jobs.result', { id: job.id })
    expect(result).toMatchObject({
      kind: 'restore',
      restorePointId: pointId,
      safetyRestorePointId: safety!.id,
    })
    // The safety backup holds the state before the restore.
    const dl = await h.ok<DownloadOutput>('restorePoints.download', {
      workspaceId: ws.record.id,
      restorePoint: safety!.id,
      path: 'project/src/main.ts',
    })
    expect((await h.finished(dl.job.id)).state).toBe('succeeded')
    expect(await readFile(dl.savedTo, 'utf8')).toBe('changed\n')
  })

  it('refuses without overwrite, and when the workspace is not running', async () => {
    const noOverwrite = await h.call('workspaces.restore', {
      id: ws.record.id,
      restorePoint: pointId,
      overwrite: false,
    })
    expect(noOverwrite).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    await h.core.workspaces.registry.update(ws.record.id, (r) => {
      r.state = 'stopped'
    })
    try {
      const stopped = await h.call('workspaces.restore', {
        id: ws.record.id,
        restorePoint: pointId,
        overwrite: true,
      })
      expect(stopped).toMatchObject({ ok: false, error: { code: 'conflict' } })
      if (!stopped.ok) expect(stopped.error.message).toMatch(/stopped: start it/)
    } finally {
      await h.core.workspaces.registry.update(ws.record.id, (r) => {
        r.state = 'running'
      })
    }
  })
})
