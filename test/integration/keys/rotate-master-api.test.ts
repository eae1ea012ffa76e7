import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePoint } from '../../../src/shared/domain/backup'
import { backupContext } from '../../../src/main/core/api/handlers/backup-context'
import { masterKeyId } from '../../../src/main/core/keys/master-key-store'
import { rotateMasterKey } from '../../../src/main/core/repo/repository/rotate-master'
import type { ObjectStore } from '../../../src/main/core/storage/object-store'
import { CairnError } from '../../../src/shared/errors'
import { finished, type Harness, keytar, ok, saveStorage, startHarness } from '../core/core-harness'

// keys.rotateMaster through dispatch, on a folder and on S3 (s3rver): every restore point of
// every workspace restores bit-identical with the new key; the old recovery key is refused with
// a message naming the rotation; an interrupted rotation is read through and finished by a retry;
// a second desktop that imports the new recovery key reads everything.

let dir: string
const harnesses: Harness[] = []

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-rotate-master-'))
})

afterAll(async () => {
  for (const h of harnesses) await h.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function harness(): Promise<Harness> {
  const h = await startHarness()
  harnesses.push(h)
  return h
}

function saveStorageNamed(h: Harness, kind: 'folder' | 's3', name: string): Promise<void> {
  return saveStorage(
    h,
    kind === 'folder' ? { kind, path: path.join(dir, name) } : { kind, prefix: name },
  )
}

interface Saved {
  workspaceId: string
  content: Buffer
}

async function expectAllRestore(h: Harness, saved: Saved[], label: string) {
  const { restorePoints, damaged } = ok<{ restorePoints: RestorePoint[]; damaged: unknown[] }>(
    await h.call('restorePoints.list', {}),
  )
  expect(damaged).toEqual([])
  expect(restorePoints).toHaveLength(saved.length)
  const got: string[] = []
  for (const point of restorePoints) {
    const target = path.join(dir, `restored-${label}-${randomBytes(4).toString('hex')}`)
    const job = ok<Job>(
      await h.call('restore.start', {
        workspaceId: point.workspaceId,
        restorePoint: point.id,
        target: { kind: 'local', path: target },
      }),
    )
    expect((await finished(h, job.id)).state).toBe('succeeded')
    const restored = fs.readFileSync(path.join(target, 'data.bin'))
    got.push(`${point.workspaceId}:${sha(restored)}`)
  }
  // Every backup comes back, each exactly once, in its own workspace.
  expect(got.sort()).toEqual(saved.map((s) => `${s.workspaceId}:${sha(s.content)}`).sort())
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

describe.each(['folder', 's3'] as const)('keys.rotateMaster on a %s repository', (kind) => {
  it('re-wraps everything, survives an interruption, and the new recovery key opens it elsewhere', async () => {
    const name = `rotate-${kind}-${randomBytes(4).toString('hex')}`
    const h = await harness()
    await saveStorageNamed(h, kind, name)
    ok(await h.call('repository.init'))
    const firstRecovery = ok<{ recoveryKey: string; keyId: string }>(
      await h.call('keys.exportRecovery'),
    )

    const source = path.join(dir, `src-${name}`)
    fs.mkdirSync(source)
    const saved: Saved[] = []
    for (const [i, workspaceId] of ['ws-a', 'ws-b', 'ws-a'].entries()) {
      const content = Buffer.from(`${workspaceId} round ${i}\n`.repeat(4000 + i))
      fs.writeFileSync(path.join(source, 'data.bin'), content)
      const job = ok<Job>(
        await h.call('backup.start', { workspaceId, source: { kind: 'local', path: source } }),
      )
      expect((await finished(h, job.id)).state).toBe('succeeded')
      saved.push({ workspaceId, content })
      if (i === 0) ok(await h.call('keys.rotateWorkspace', { workspaceId }))
    }

    // 1. A rotation whose storage fails after 3 writes (in the middle of re-wrapping), then one
    // killed right after the config flip: this desktop still reads everything in between (it
    // holds the pending key), and keys.rotateMaster finishes it.
    const context = backupContext(h.core.services)
    const { oldKey, newKey } = await context.masterKeys.beginRotation()
    const { store, close } = await context.configuredStore()
    let writes = 0
    const failing: ObjectStore = {
      description: store.description,
      requests: store.requests,
      put: async (key, body, options) => {
        if (++writes > 3) throw new CairnError('unreachable', 'injected: storage went away')
        await store.put(key, body, options)
      },
      get: (key, options) => store.get(key, options),
      head: (key, options) => store.head(key, options),
      list: (prefix, options) => store.list(prefix, options),
      delete: (key, options) => store.delete(key, options),
    }
    await expect(
      rotateMasterKey(failing, oldKey, newKey, { host: 'killed-desktop' }),
    ).rejects.toThrow(/injected/)
    await expectAllRestore(h, saved, `${name}-halfway`)
    await expect(
      rotateMasterKey(store, oldKey, newKey, {
        host: 'killed-desktop',
        onStep: (step) => {
          if (step === 'config') throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    close()
    await expectAllRestore(h, saved, `${name}-between`)

    const rotated = ok<{
      recoveryKey: string
      keyId: string
      previousKeyId: string
      rewrapped: number
      resumed: boolean
    }>(await h.call('keys.rotateMaster'))
    expect(rotated.resumed).toBe(true)
    expect(rotated.keyId).toBe(masterKeyId(newKey))
    expect(rotated.previousKeyId).toBe(firstRecovery.keyId)
    expect(ok(await h.call('keys.status'))).toMatchObject({ present: true, keyId: rotated.keyId })
    const kt = await keytar()
    expect(await kt.getPassword(h.service, `master-key.replaced.${firstRecovery.keyId}`)).not.toBe(
      null,
    )
    expect(await kt.getPassword(h.service, 'master-key.pending')).toBe(null)
    await expectAllRestore(h, saved, `${name}-after`)

    // 2. A second rotation, uninterrupted.
    const second = ok<{ recoveryKey: string; keyId: string; resumed: boolean }>(
      await h.call('keys.rotateMaster'),
    )
    expect(second.resumed).toBe(false)
    expect(second.keyId).not.toBe(rotated.keyId)
    await expectAllRestore(h, saved, `${name}-second`)

    // 3. Another desktop: the old recovery keys are refused with a clear message; the new opens.
    const other = await harness()
    await saveStorageNamed(other, kind, name)
    for (const old of [firstRecovery.recoveryKey, rotated.recoveryKey]) {
      const refused = await other.call('keys.importRecovery', { recoveryKey: old })
      expect(refused.ok).toBe(false)
      if (!refused.ok) {
        expect(refused.error.code).toBe('unauthorized')
        expect(refused.error.message).toMatch(/was rotated on .* at .*Import the new recovery key/)
      }
    }
    ok(await other.call('keys.importRecovery', { recoveryKey: second.recoveryKey }))
    await expectAllRestore(other, saved, `${name}-other`)
  })
})

describe('keys.rotateMaster refusals', () => {
  it('refuses without storage and without a repository key', async () => {
    const h = await harness()
    const result = await h.call('keys.rotateMaster')
    expect(result.ok).toBe(false)
  })
})
