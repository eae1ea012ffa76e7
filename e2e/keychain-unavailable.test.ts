import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hasText } from './pages/expect'
import { SettingsPage } from './pages/settings-page'
import { useE2E } from './support/harness'
import { noKeychain } from './support/no-keychain'
import { screenshot } from './support/screenshots'

/**
 * A machine without a keychain: the core's keytar store cannot load its native library (the seam
 * the core provides for exactly this). Cairn must say so and store nothing anywhere else.
 */
const e2e = useE2E({ secrets: noKeychain })

describe('Settings without a keychain', () => {
  it('warns up front, refuses to keep a token or S3 secret, and still saves a folder', async () => {
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await hasText(settings.keychainStatus, 'Keychain not available')
    await hasText(settings.keychainStatus, 'never falls back')

    await settings.enterHetznerToken(e2e.hetzner.project.token)
    await settings.expectHetznerError(
      'keychain_unavailable',
      'There is no keychain to keep the token in',
    )
    expect((await e2e.call('settings.get', {})).hasHetznerToken).toBe(false)
    await screenshot(page, 'keychain-unavailable')

    await settings.fillS3({
      endpoint: e2e.s3.endpoint,
      bucket: e2e.s3.bucket,
      accessKeyId: e2e.s3.accessKeyId,
      secretAccessKey: e2e.s3.secretAccessKey,
    })
    await settings.saveStorage()
    await settings.expectStorageError(
      'keychain_unavailable',
      'There is no keychain to keep the secret key in',
    )
    expect((await e2e.call('settings.get', {})).storage).toBeNull()

    // A folder needs no secret, so it works without a keychain.
    const folder = await mkdtemp(join(tmpdir(), 'cairn-e2e-nokeychain-'))
    try {
      await settings.fillFolder(folder)
      await settings.saveStorage()
      await settings.expectStorageSaved()
      expect((await e2e.call('settings.get', {})).storage).toEqual({ kind: 'folder', path: folder })
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
