import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { secretAccounts } from '../../../src/main/core/secrets/secret-store'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

const run = promisify(execFile)

/** Files with what a restore must keep: modes, mtimes, symlinks, odd names, an empty folder. */
const WRITE_FILES = String.raw`set -e
mkdir -p ~/code/src ~/code/empty
cd ~/code
printf 'cycle\n' > README.md
head -c 2000000 /dev/urandom > src/blob.bin
printf '#!/bin/sh\necho ok\n' > run.sh; chmod 755 run.sh
printf 'x' > 'with space'
ln -s README.md readme-link
touch -h -d '2022-02-03 04:05:06.5' README.md readme-link
`
const LIST_FILES = String.raw`cd ~/code && find . -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum`

/**
 * The whole life of a workspace through the API, on S3 storage, as issue 4 asks: create, write
 * files over SSH, stop (server gone, restore point present), start (a new server, the files
 * bit-identical, a new pinned host key), delete (nothing left at Hetzner, in the bucket, in the
 * keychain or the registry).
 */
describe('a workspace from create to delete', () => {
  let h: WorkspaceHarness & { service: string }
  let record: WorkspaceRecord
  let files: string

  const ssh = (command: string) =>
    run(
      'ssh',
      [
        '-F',
        h.sshConfigPath,
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=10',
        'cairn-cycle',
        command,
      ],
      { timeout: 30_000 },
    )
  const servers = async () =>
    (await (await h.core.workspaces.hetzner()).servers.list()).map((s) => s.id)
  const bucketKeys = async (): Promise<string[]> => {
    const { store, close } = await h.core.workspaces.backup.configuredStore()
    try {
      const keys: string[] = []
      for await (const o of store.list('')) keys.push(o.key)
      return keys
    } finally {
      close()
    }
  }
  const job = async (method: string, input: unknown) => {
    const started = await h.ok<Job>(method, input)
    const done = await h.finished(started.id, 90_000)
    expect(done.error, `${method}: ${done.error?.message}`).toBeNull()
    return done
  }

  beforeAll(async () => {
    h = await startWorkspaceHarness({ storage: 's3' })
  })
  afterAll(async () => {
    await h?.close({ remove: true })
  })

  it('creates a running workspace that `ssh cairn-cycle` reaches', async () => {
    await job('workspaces.create', { name: 'cycle', location: 'fsn1', serverType: 'cx22' })
    record = (await h.core.workspaces.registry.findByName('cycle'))!
    expect(record).toMatchObject({ state: 'running', provider: 'hetzner' })
    expect(await servers()).toEqual([record.server!.id])
    await h.ok('workspaces.secrets.set', { id: record.id, name: 'CYCLE_TOKEN', value: 'tok-1' })
    await ssh(WRITE_FILES)
    files = (await ssh(LIST_FILES)).stdout
    expect(files).toContain('./readme-link l 777')
  })

  it('stops: the server is gone and a verified restore point tagged stop holds the files', async () => {
    await job('workspaces.stop', { id: record.id })
    expect(await servers()).toEqual([])
    const stopped = (await h.core.workspaces.registry.get(record.id))!
    expect(stopped).toMatchObject({ state: 'stopped', server: null, ssh: null, pending: null })
    const { restorePoints } = await h.ok<RestorePointList>('restorePoints.list', {
      workspaceId: record.id,
    })
    expect(restorePoints.map((p) => p.trigger)).toEqual(['stop'])
    expect(stopped.lastBackup?.restorePointId).toBe(restorePoints[0]!.id)
    expect(await readFile(h.sshConfigPath, 'utf8').catch(() => '')).not.toContain('cairn-cycle')
  })

  it('starts: a new server, the files bit-identical, a new pinned host key, the secret back', async () => {
    await job('workspaces.start', { id: record.id })
    const started = (await h.core.workspaces.registry.get(record.id))!
    expect(started.state).toBe('running')
    expect(started.server!.id).not.toBe(record.server!.id)
    expect(started.ssh!.hostKey).not.toBe(record.ssh!.hostKey)
    expect((await ssh(LIST_FILES)).stdout).toBe(files)
    expect((await ssh('printf "%s" "$CYCLE_TOKEN"')).stdout).toBe('tok-1')
  })

  it('deletes: nothing is left at Hetzner, in the bucket, in the keychain or the registry', async () => {
    expect((await bucketKeys()).some((k) => k.includes(record.id))).toBe(true)
    const cached = async () =>
      (await readdir(join(h.dataDir, 'cache'), { recursive: true })).filter((f) =>
        f.includes(record.id),
      )
    expect((await cached()).length).toBeGreaterThan(0)
    await job('workspaces.delete', { id: record.id, confirmName: 'cycle' })
    expect(await cached()).toEqual([])
    expect(await servers()).toEqual([])
    expect((await bucketKeys()).filter((k) => k.includes(record.id))).toEqual([])
    expect(await h.core.workspaces.registry.get(record.id)).toBeNull()
    expect(
      await h.core.services.secrets.get(secretAccounts.workspaceSecret(record.id, 'CYCLE_TOKEN')),
    ).toBeNull()
    expect(await readFile(h.sshConfigPath, 'utf8').catch(() => '')).not.toContain('cairn-cycle')
  })
})
