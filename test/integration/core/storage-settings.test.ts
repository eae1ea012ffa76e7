import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cloudInfo } from '../../support/cloud-info'
import { keytar, startHarness, type Harness } from './core-harness'

const s3Config = (overrides: Record<string, unknown> = {}) => {
  const s3 = cloudInfo().s3
  return {
    kind: 's3',
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    prefix: `core-storage-${randomBytes(4).toString('hex')}`,
    accessKeyId: s3.accessKeyId,
    forcePathStyle: true,
    ...overrides,
  }
}
const accountFor = (config: { accessKeyId: string; endpoint: string }) =>
  `storage-secret:${config.accessKeyId}@${new URL(config.endpoint).host}`

describe('storage.test / save / clear through dispatch', () => {
  let h: Harness
  let folder: string
  beforeEach(async () => {
    h = await startHarness()
    folder = await mkdtemp(join(tmpdir(), 'cairn-folder-it-'))
  })
  afterEach(async () => {
    await h.close()
    await rm(folder, { recursive: true, force: true })
  })

  it('tests S3 storage with a real write, read and delete, and stores nothing', async () => {
    const config = s3Config()
    const result = await h.call('storage.test', {
      config,
      secretAccessKey: cloudInfo().s3.secretAccessKey,
    })
    expect(result).toMatchObject({ ok: true, output: { ok: true } })
    if (!result.ok) return
    const steps = (result.output as { steps: Array<{ step: string; ok: boolean; ms: number }> })
      .steps
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['connect', true],
      ['write', true],
      ['read', true],
      ['delete', true],
    ])
    expect(await (await keytar()).getPassword(h.service, accountFor(config))).toBeNull()
    expect(await readdir(h.dataDir)).not.toContain('settings.json')
  })

  it('saves config and secret only after a passing test; the secret goes to the keychain only', async () => {
    const config = s3Config()
    const secret = cloudInfo().s3.secretAccessKey
    const saved = await h.call('storage.save', { config, secretAccessKey: secret })
    expect(saved).toMatchObject({
      ok: true,
      output: {
        test: { ok: true },
        settings: { storage: { kind: 's3', bucket: config.bucket }, hasStorageSecret: true },
      },
    })
    expect(await (await keytar()).getPassword(h.service, accountFor(config))).toBe(secret)
    const onDisk = JSON.parse(await readFile(join(h.dataDir, 'settings.json'), 'utf8'))
    expect(onDisk).toEqual({
      schemaVersion: 1,
      hetznerApiBase: 'https://api.hetzner.cloud/v1',
      storage: config,
      preferences: {
        notificationLevel: 'all',
        launchAtLogin: false,
        defaultIdleTimeoutMinutes: 30,
      },
    })
    expect(h.events.filter((e) => e.event === 'settings.changed')).toHaveLength(1)

    // Testing again without the secret uses the stored one.
    expect(await h.call('storage.test', { config })).toMatchObject({
      ok: true,
      output: { ok: true },
    })
    // A different access key has no stored secret.
    expect(
      await h.call('storage.test', { config: { ...config, accessKeyId: 'OTHER' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_configured' },
    })

    // Clearing removes both.
    const cleared = await h.call('storage.clear')
    expect(cleared).toMatchObject({ ok: true, output: { storage: null, hasStorageSecret: false } })
    expect(await (await keytar()).getPassword(h.service, accountFor(config))).toBeNull()
    expect(JSON.parse(await readFile(join(h.dataDir, 'settings.json'), 'utf8')).storage).toBeNull()
  })

  it('saves nothing when the test fails, keeping what was there', async () => {
    const good = s3Config()
    const secret = cloudInfo().s3.secretAccessKey
    expect((await h.call('storage.save', { config: good, secretAccessKey: secret })).ok).toBe(true)
    const before = await readFile(join(h.dataDir, 'settings.json'), 'utf8')

    // Same access key, wrong secret: refused at connect; the stored secret stays the good one.
    const wrongSecret = await h.call('storage.save', {
      config: good,
      secretAccessKey: 'another-secret-value-123',
    })
    expect(wrongSecret).toMatchObject({
      ok: true,
      output: {
        test: {
          ok: false,
          steps: [
            { step: 'connect', ok: false, message: expect.stringContaining('Secret access key') },
          ],
        },
        settings: { storage: { bucket: good.bucket }, hasStorageSecret: true },
      },
    })
    expect(await (await keytar()).getPassword(h.service, accountFor(good))).toBe(secret)

    // Right secret, wrong bucket: refused at connect; settings stay as they were.
    const bad = s3Config({ bucket: 'no-such-bucket-x' })
    const result = await h.call('storage.save', { config: bad, secretAccessKey: secret })
    expect(result).toMatchObject({
      ok: true,
      output: { test: { ok: false }, settings: { storage: { bucket: good.bucket } } },
    })
    if (!result.ok) return
    const steps = (
      result.output as { test: { steps: Array<{ step: string; ok: boolean; message?: string }> } }
    ).test.steps
    expect(steps).toHaveLength(1)
    expect(steps[0]).toMatchObject({
      step: 'connect',
      ok: false,
      message: expect.stringContaining('no-such-bucket-x does not exist'),
    })
    expect(await readFile(join(h.dataDir, 'settings.json'), 'utf8')).toBe(before)
    expect(await h.filesOnDisk()).not.toContain('another-secret-value-123')
  })

  it('reports an unreachable S3 endpoint in the connect step, quickly', async () => {
    const config = s3Config({ endpoint: 'http://127.0.0.1:9' })
    const started = Date.now()
    const result = await h.call('storage.test', { config, secretAccessKey: 'x'.repeat(20) })
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(result).toMatchObject({
      ok: true,
      output: {
        ok: false,
        steps: [
          { step: 'connect', ok: false, message: expect.stringContaining('could not reach') },
        ],
      },
    })
  })

  it('saves a folder storage after testing it, and explains a missing folder', async () => {
    const missing = await h.call('storage.test', {
      config: { kind: 'folder', path: join(folder, 'nope') },
    })
    expect(missing).toMatchObject({
      ok: true,
      output: {
        ok: false,
        steps: [{ step: 'connect', ok: false, message: expect.stringContaining('does not exist') }],
      },
    })
    expect(
      await h.call('storage.test', { config: { kind: 'folder', path: 'relative/path' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
    const saved = await h.call('storage.save', { config: { kind: 'folder', path: folder } })
    expect(saved).toMatchObject({
      ok: true,
      output: {
        test: { ok: true },
        settings: { storage: { kind: 'folder', path: folder }, hasStorageSecret: false },
      },
    })
    // The test object is gone; only the (empty) temp dir and test prefix dir remain.
    const left = await readdir(folder, { recursive: true, withFileTypes: true })
    expect(left.filter((e) => e.isFile())).toEqual([])
  })

  it('never writes a secret into settings.json or the log', async () => {
    const secret = cloudInfo().s3.secretAccessKey + '-but-longer-0123'
    // Whatever happens with this secret (refused: it is not the right one), it is not on disk.
    await h.call('storage.save', { config: s3Config(), secretAccessKey: secret })
    await h.call('storage.test', {
      config: s3Config({ endpoint: 'http://127.0.0.1:9' }),
      secretAccessKey: secret,
    })
    const disk = await h.filesOnDisk()
    expect(disk.length).toBeGreaterThan(0)
    expect(disk).not.toContain(secret)
  })
})
