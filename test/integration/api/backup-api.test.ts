import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { JobResult, RestorePoint } from '../../../src/shared/domain/backup'
import { finished, type Harness, ok, startHarness } from '../core/core-harness'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { buildTree, hostPath, sha256 } from '../../support/tree-fixture'

// The backup API through dispatch, as the UI will use it: storage and keys set up, a backup job of
// a local-cloud VM with progress events, restore points listed and browsed, restore, verify,
// cancel, and the one-job-per-workspace rule.

let h: Harness
let vm: TestVm
let dir: string
let keyId: string

function jobEvents(id: string): Job[] {
  return h.events
    .filter((e) => e.event === 'job.updated' && (e.payload as Job).id === id)
    .map((e) => e.payload as Job)
}

const WS = 'api-ws'

beforeAll(async () => {
  h = await startHarness()
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-api-it-'))
  vm = await createTestVm('api-source')
  buildTree(hostPath(vm.homeDir, '/home/dev/work'), vm.dev)
})

afterAll(async () => {
  await h?.close()
  await vm?.destroy()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('repository and keys through the API', () => {
  it('reports the setup state step by step, creates the repository and the master key', async () => {
    expect(ok<{ state: string }>(await h.call('repository.status')).state).toBe('not_configured')
    const folder = path.join(dir, 'repo')
    fs.mkdirSync(folder)
    ok(await h.call('storage.save', { config: { kind: 'folder', path: folder } }))
    expect(ok(await h.call('repository.status'))).toMatchObject({
      state: 'no_repository',
      location: folder,
    })
    expect(ok(await h.call('keys.status'))).toMatchObject({ present: false })

    const init = ok<{ repositoryId: string; keyId: string; masterKeyCreated: boolean }>(
      await h.call('repository.init'),
    )
    expect(init.masterKeyCreated).toBe(true)
    expect(ok(await h.call('repository.status'))).toMatchObject({
      state: 'ready',
      repositoryId: init.repositoryId,
      workspaces: [],
    })
    expect(h.events.some((e) => e.event === 'keys.changed')).toBe(true)

    const shown = ok<{ recoveryKey: string; keyId: string }>(await h.call('keys.exportRecovery'))
    expect(shown.keyId).toBe(init.keyId)
    const twice = await h.call('keys.exportRecovery')
    expect(twice.ok).toBe(false)
    if (!twice.ok) expect(twice.error.code).toBe('conflict')
    expect(ok(await h.call('keys.exportRecovery', { again: true }))).toMatchObject({
      recoveryKey: shown.recoveryKey,
    })
    // Re-importing the same key changes nothing and is checked against the repository.
    expect(ok(await h.call('keys.importRecovery', { recoveryKey: shown.recoveryKey }))).toEqual({
      keyId: init.keyId,
      unchanged: true,
      replacedKeyId: null,
      checkedAgainstRepository: false,
    })
    // The key never reaches the app's files.
    expect(await h.filesOnDisk()).not.toContain(shown.recoveryKey)
  })

  it('keeps SSH private keys in the keychain; the API only sees public keys', async () => {
    const keyFile = path.join(dir, 'vm-key')
    fs.writeFileSync(keyFile, vm.userKey, { mode: 0o600 })
    const imported = ok<{ id: string; publicKey: string; fingerprint: string }>(
      await h.call('sshKeys.importFile', { name: 'source vm', path: keyFile }),
    )
    keyId = imported.id
    expect(imported.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ cairn:source vm$/)
    const generated = ok<{ id: string }>(await h.call('sshKeys.generate', { name: 'spare' }))
    const list = ok<{ id: string }[]>(await h.call('sshKeys.list'))
    expect(list.map((k) => k.id)).toEqual([keyId, generated.id])
    ok(await h.call('sshKeys.delete', { id: generated.id }))
    expect(ok<unknown[]>(await h.call('sshKeys.list'))).toHaveLength(1)
    const onDisk = fs.readFileSync(path.join(h.dataDir, 'ssh-keys.json'), 'utf8')
    expect(onDisk).not.toContain('PRIVATE KEY')
    // A raw private key in the input is refused by the contract.
    const raw = await h.call('sshKeys.importFile', { name: 'x', path: keyFile, privateKey: 'x' })
    expect(raw.ok).toBe(false)
  })
})

describe('backup, restore points, restore and verify jobs', () => {
  let point: RestorePoint

  const sshSource = () => ({
    kind: 'ssh' as const,
    host: vm.ip,
    port: vm.port,
    user: 'dev',
    hostKey: vm.hostPublic,
    keyId,
    path: '/home/dev/work',
  })

  it('backup.start returns a job at once; job.updated shows progress and success', async () => {
    const job = ok<Job>(
      await h.call('backup.start', { workspaceId: WS, source: sshSource(), tags: ['api'] }),
    )
    expect(job).toMatchObject({ kind: 'backup', workspaceId: WS, state: 'running' })
    const done = await finished(h, job.id)
    expect(done.error).toBeNull()
    expect(done.state).toBe('succeeded')
    const events = jobEvents(job.id)
    expect(events.some((e) => e.bytesDone > 0 && e.state === 'running')).toBe(true)
    expect(new Set(events.map((e) => e.phase))).toContain('done')

    const result = ok<JobResult>(await h.call('jobs.result', { id: job.id }))
    if (result.kind !== 'backup') throw new Error('expected a backup result')
    point = result.restorePoint
    expect(point).toMatchObject({ workspaceId: WS, trigger: 'manual', tags: ['api'], parent: null })
    const changed = h.events.find((e) => e.event === 'restorePoints.changed')
    expect(changed?.payload).toEqual({ workspaceId: WS, restorePoint: point })
  })

  it('restorePoints.list and browse return it', async () => {
    const list = ok<{ restorePoints: RestorePoint[]; damaged: unknown[] }>(
      await h.call('restorePoints.list', {}),
    )
    expect(list).toEqual({ restorePoints: [point], damaged: [] })
    expect(ok(await h.call('restorePoints.list', { workspaceId: WS }))).toEqual(list)
    expect(ok(await h.call('repository.status'))).toMatchObject({ workspaces: [WS] })

    const top = ok<{ restorePointId: string; entries: { name: string; type: string }[] }>(
      await h.call('restorePoints.browse', { workspaceId: WS, restorePoint: 'latest' }),
    )
    expect(top.restorePointId).toBe(point.id)
    expect(top.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['src', 'big.bin']))
    const src = ok<{ entries: { name: string; type: string; size: number }[] }>(
      await h.call('restorePoints.browse', {
        workspaceId: WS,
        restorePoint: point.id.slice(0, 8),
        path: 'src',
      }),
    )
    expect(src.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'main.ts', type: 'file', size: 19 }),
      ]),
    )
  })

  it('restore.preflight and restore.start into a local folder', async () => {
    const target = path.join(dir, 'restored')
    const pre = ok<{ targetState: string; conflicts: unknown[] }>(
      await h.call('restore.preflight', {
        workspaceId: WS,
        restorePoint: 'latest',
        target: { kind: 'local', path: target },
      }),
    )
    expect(pre).toMatchObject({ targetState: 'missing', conflicts: [] })
    const job = ok<Job>(
      await h.call('restore.start', {
        workspaceId: WS,
        restorePoint: 'latest',
        target: { kind: 'local', path: target },
      }),
    )
    const done = await finished(h, job.id)
    expect(done.error).toBeNull()
    const source = hostPath(vm.homeDir, '/home/dev/work')
    expect(sha256(fs.readFileSync(path.join(target, 'big.bin')))).toBe(
      sha256(fs.readFileSync(path.join(source, 'big.bin'))),
    )
    const result = ok<JobResult>(await h.call('jobs.result', { id: job.id }))
    expect(result).toMatchObject({ kind: 'restore', restorePointId: point.id, refused: [] })

    const again = ok<{ targetState: string; conflicts: { path: string }[] }>(
      await h.call('restore.preflight', {
        workspaceId: WS,
        restorePoint: 'latest',
        target: { kind: 'local', path: target },
        include: ['src'],
      }),
    )
    expect(again.targetState).toBe('non-empty')
    expect(again.conflicts.map((c) => c.path)).toContain('src/main.ts')
  })

  it('verify.start checks it', async () => {
    const job = ok<Job>(await h.call('verify.start', { workspaceId: WS, restorePoint: 'latest' }))
    expect(job.kind).toBe('verify')
    const done = await finished(h, job.id)
    expect(done.error).toBeNull()
    expect(ok(await h.call('jobs.result', { id: job.id }))).toMatchObject({
      kind: 'verify',
      ok: true,
      problems: [],
    })
  })

  it('refuses a second backup of a busy workspace, and cancel leaves no restore point', async () => {
    const big = path.join(dir, 'big-source')
    fs.mkdirSync(big)
    const chunk = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < 24; i++) {
      for (let j = 0; j < chunk.length; j += 4)
        chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j)
      fs.writeFileSync(path.join(big, `blob-${i}.bin`), chunk)
    }
    const job = ok<Job>(
      await h.call('backup.start', { workspaceId: WS, source: { kind: 'local', path: big } }),
    )
    const busy = await h.call('backup.start', {
      workspaceId: WS,
      source: { kind: 'local', path: big },
    })
    expect(busy.ok).toBe(false)
    if (!busy.ok) expect(busy.error.code).toBe('conflict')

    const deadline = Date.now() + 30_000
    while (!jobEvents(job.id).some((e) => e.bytesDone > 0)) {
      if (Date.now() > deadline) throw new Error('no progress')
      await new Promise((r) => setTimeout(r, 10))
    }
    ok(await h.call('jobs.cancel', { id: job.id }))
    const done = await finished(h, job.id)
    expect(done.state).toBe('cancelled')
    const list = ok<{ restorePoints: RestorePoint[] }>(
      await h.call('restorePoints.list', { workspaceId: WS }),
    )
    expect(list.restorePoints.map((p) => p.id)).toEqual([point.id])
    expect(ok(await h.call('jobs.result', { id: job.id }))).toBeNull()
  })

  it('refuses bad input by the contract', async () => {
    for (const input of [
      { workspaceId: '../x', source: { kind: 'local', path: '/tmp' } },
      { workspaceId: WS, source: { kind: 'local', path: 'relative' } },
      { workspaceId: WS, source: { ...sshSource(), privateKey: 'raw' } },
      { workspaceId: WS, source: { kind: 'local', path: '/tmp' }, extra: 1 },
    ]) {
      const result = await h.call('backup.start', input)
      expect(result.ok, JSON.stringify(input)).toBe(false)
      if (!result.ok) expect(result.error.code).toBe('invalid_input')
    }
  })
})
