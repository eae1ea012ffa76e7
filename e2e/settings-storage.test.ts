import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hasText, visible } from './pages/expect'
import { SettingsPage } from './pages/settings-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { CallSpy } from './support/ws-spy'

/**
 * The storage half of Settings: real S3 requests to the local cloud's s3rver and real folders,
 * through the real core, driven from Chromium.
 */
const e2e = useE2E()
let scratch = ''

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cairn-e2e-folders-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

const allOk = { connect: 'ok', write: 'ok', read: 'ok', delete: 'ok' }

async function openSettings() {
  const page = await e2e.open()
  const settings = new SettingsPage(page)
  await settings.open()
  return settings
}

function s3Fields() {
  return {
    endpoint: e2e.s3.endpoint,
    region: e2e.s3.region,
    bucket: e2e.s3.bucket,
    accessKeyId: e2e.s3.accessKeyId,
    secretAccessKey: e2e.s3.secretAccessKey,
  }
}

/** Every key in the bucket, listed with the right credentials, independently of Cairn. */
async function objectKeys(): Promise<string[]> {
  const client = new S3Client({
    endpoint: e2e.s3.endpoint,
    region: e2e.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: e2e.s3.accessKeyId, secretAccessKey: e2e.s3.secretAccessKey },
  })
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: e2e.s3.bucket }))
    return (listed.Contents ?? []).map((o) => o.Key ?? '')
  } finally {
    client.destroy()
  }
}

describe('Settings: storage', () => {
  beforeEach(async () => {
    await e2e.call('storage.clear', {})
  })

  it('validates the S3 form in the page before any call', async () => {
    const settings = await openSettings()
    const spy = new CallSpy(settings.page)
    await settings.fillS3({
      ...s3Fields(),
      endpoint: 'r2.example.com',
      bucket: 'Bad_Bucket',
      accessKeyId: '',
    })
    await settings.testConnection()
    expect(await settings.fieldError('Bucket')).toBe('Bucket names use lowercase letters only.')
    expect(await settings.fieldError('Endpoint')).toMatch(/^Enter a full URL/)
    expect(await settings.fieldError('Access key ID')).toBe('Enter the access key ID.')
    await settings.saveStorage()
    await settings.field('Bucket').fill('ab')
    await settings.testConnection()
    expect(await settings.fieldError('Bucket')).toBe('Bucket names are 3 to 63 characters long.')
    await screenshot(settings.page, 'storage-invalid', settings.field('Access key ID'), 'center')
    expect(spy.count('storage.')).toBe(0)
    expect((await e2e.call('settings.get', {})).storage).toBeNull()
  })

  it('tests and saves S3 storage against s3rver: four steps pass, the secret goes to the keychain', async () => {
    const settings = await openSettings()
    await settings.fillS3({ ...s3Fields(), prefix: 'e2e/' })
    await settings.testConnection()
    expect(await settings.steps()).toEqual(allOk)
    await settings.expectStorageResult('Connection works')
    for (const ms of await settings.stepTimes()) expect(ms).toMatch(/^\d+ ms$|^\d+\.\d s$/)
    expect((await e2e.call('settings.get', {})).storage).toBeNull()

    await settings.saveStorage()
    const summary = await settings.expectStorageSaved()
    expect(await settings.steps()).toEqual(allOk)
    expect(summary).toContain(e2e.s3.endpoint)
    expect(summary).toContain(e2e.s3.bucket)
    expect(summary).toContain('In your keychain')
    await screenshot(settings.page, 'storage-s3-ok', settings.storage)

    const saved = await e2e.call('settings.get', {})
    expect(saved.storage).toMatchObject({ kind: 's3', bucket: e2e.s3.bucket, prefix: 'e2e/' })
    expect(saved.hasStorageSecret).toBe(true)
    const host = new URL(e2e.s3.endpoint).host
    expect(await e2e.keychain.storageSecret(`${e2e.s3.accessKeyId}@${host}`)).toBe(
      e2e.s3.secretAccessKey,
    )
    // The check's test objects were cleaned up.
    expect((await objectKeys()).filter((key) => key.startsWith('e2e/'))).toEqual([])

    // After a reload the saved configuration is shown, and testing it uses the stored secret.
    await settings.page.reload()
    await settings.open()
    await hasText(settings.savedStorage, e2e.s3.bucket)
    await settings.savedStorage.getByRole('button', { name: 'Test connection' }).click()
    expect(await settings.steps()).toEqual(allOk)

    // Change keeps the secret when the field is left empty.
    await settings.savedStorage.getByRole('button', { name: 'Change' }).click()
    expect(await settings.field('Secret access key').getAttribute('placeholder')).toBe(
      'stored in keychain — leave empty to keep',
    )
    await settings.field('Prefix').fill('e2e-2/')
    await settings.saveStorage()
    await settings.expectStorageSaved()
    expect((await e2e.call('settings.get', {})).storage).toMatchObject({ prefix: 'e2e-2/' })

    await settings.removeStorage()
    expect((await e2e.call('settings.get', {})).storage).toBeNull()
    expect(await e2e.keychain.storageSecret(`${e2e.s3.accessKeyId}@${host}`)).toBeNull()
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('shows the failing step and its message for a wrong secret key, and saves nothing', async () => {
    const settings = await openSettings()
    await settings.fillS3({ ...s3Fields(), secretAccessKey: 'not-the-secret-key' })
    await settings.saveStorage()
    const steps = await settings.steps()
    expect(steps.connect).toBe('failed')
    expect(steps.write).toBe('skipped')
    await settings.expectStorageResult('The check failed while connecting')
    expect(await settings.stepMessage('connect')).toMatch(/secret|signature|credentials/i)
    await hasText(settings.storageResult, 'Nothing was saved')
    await screenshot(settings.page, 'storage-error', settings.storageResult, 'end')
    expect((await e2e.call('settings.get', {})).storage).toBeNull()
    expect(await e2e.keychain.accounts()).toEqual([])
  })

  it('names the problem for an unknown access key and a missing bucket', async () => {
    const settings = await openSettings()
    await settings.fillS3({ ...s3Fields(), accessKeyId: 'NOSUCHKEY' })
    await settings.testConnection()
    expect((await settings.steps()).connect).toBe('failed')
    expect(await settings.stepMessage('connect')).toMatch(/access key|credentials/i)

    await settings.fillS3({ ...s3Fields(), bucket: 'no-such-bucket' })
    await settings.testConnection()
    await hasText(settings.page.getByTestId('storage-steps'), 'not run')
    expect((await settings.steps()).connect).toBe('failed')
    expect(await settings.stepMessage('connect')).toMatch(/bucket/i)
  })

  it('tests and saves a local folder', async () => {
    const folder = await mkdtemp(join(scratch, 'ok-'))
    const settings = await openSettings()
    await settings.fillFolder(folder)
    await settings.testConnection()
    expect(await settings.steps()).toEqual(allOk)
    await settings.saveStorage()
    const summary = await settings.expectStorageSaved()
    expect(summary).toContain(folder)
    expect((await e2e.call('settings.get', {})).storage).toEqual({ kind: 'folder', path: folder })
    await screenshot(settings.page, 'storage-folder-ok', settings.storage)
  })

  it('explains a folder that does not exist or is not a folder', async () => {
    const settings = await openSettings()
    await settings.fillFolder(join(scratch, 'does-not-exist'))
    await settings.saveStorage()
    expect((await settings.steps()).connect).toBe('failed')
    const missing = await settings.stepMessage('connect')
    expect(missing.length).toBeGreaterThan(10)
    await hasText(settings.storageResult, 'Nothing was saved')
    await screenshot(settings.page, 'storage-folder-missing', settings.storage)

    const file = join(scratch, 'a-file')
    await writeFile(file, 'not a folder')
    await settings.fillFolder(file)
    await settings.testConnection()
    await visible(
      settings.page.locator(
        '[data-step="connect"][data-state="failed"], [data-step="write"][data-state="failed"]',
      ),
    )
    expect((await e2e.call('settings.get', {})).storage).toBeNull()

    await settings.fillFolder('relative/path')
    await settings.testConnection()
    expect(await settings.fieldError('Folder')).toMatch(/full path/)
  })
})
