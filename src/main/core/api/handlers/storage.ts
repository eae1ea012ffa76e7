import { isAbsolute } from 'node:path'
import { CairnError } from '../../../../shared/errors'
import type { StorageConfig } from '../../../../shared/domain/settings'
import type { StorageInput, StorageTestResult } from '../../../../shared/domain/storage'
import type { Handlers } from '../dispatch'
import { interactiveStorageRetryPolicy } from '../../storage/s3-store'
import { secretAccounts } from '../../secrets/secret-store'
import { publishSettings, settingsView, type CoreServices } from '../../services'
import { createObjectStore, storageSecretId } from '../../storage/create-store'
import { S3Store } from '../../storage/s3-store'
import { testStorage } from '../../storage/storage-check'

export function storageHandlers(
  s: CoreServices,
): Pick<Handlers, 'storage.test' | 'storage.save' | 'storage.clear'> {
  /** The secret to use: the one typed in, or the one stored for this exact access key. */
  const resolveSecret = async (input: StorageInput): Promise<string | null> => {
    const id = storageSecretId(input.config)
    if (id === null) return null
    if (input.secretAccessKey !== undefined) {
      s.known.add(input.secretAccessKey)
      return input.secretAccessKey
    }
    const stored = await s.secrets.get(secretAccounts.storageSecret(id))
    if (stored === null) {
      throw new CairnError('not_configured', 'Enter the secret access key for this storage.')
    }
    return stored
  }

  const runTest = async (input: StorageInput, signal?: AbortSignal): Promise<StorageTestResult> => {
    checkConfig(input.config)
    const secret = await resolveSecret(input)
    const store = createObjectStore(input.config, {
      secretAccessKey: secret,
      logger: s.logger,
      s3: { retry: interactiveStorageRetryPolicy, timeoutMs: 15_000 },
    })
    try {
      const result = await testStorage(store, signal ? { signal } : {})
      s.logger.info('storage test', {
        target: store.description,
        ok: result.ok,
        failedStep: result.steps.find((step) => !step.ok)?.step,
      })
      return result
    } finally {
      if (store instanceof S3Store) store.destroy()
    }
  }

  return {
    'storage.test': async (input, ctx) => runTest(input, ctx.signal),

    'storage.save': async (input, ctx) => {
      const test = await runTest(input, ctx.signal)
      if (!test.ok) return { test, settings: await settingsView(s) }

      const previous = (await s.settings.get()).storage
      const id = storageSecretId(input.config)
      const account = id === null ? null : secretAccounts.storageSecret(id)
      let restore: (() => Promise<void>) | null = null
      if (account !== null && input.secretAccessKey !== undefined) {
        const before = await s.secrets.get(account)
        await s.secrets.set(account, input.secretAccessKey)
        restore = () =>
          before === null
            ? s.secrets.delete(account).then(() => {})
            : s.secrets.set(account, before)
      }
      try {
        await s.settings.update((current) => ({ ...current, storage: input.config }))
      } catch (error) {
        await restore?.().catch(() => {})
        throw error
      }
      await forgetSecretOf(s, previous, account)
      s.logger.info('storage saved', { kind: input.config.kind })
      return { test, settings: await publishSettings(s) }
    },

    'storage.clear': async () => {
      const previous = (await s.settings.get()).storage
      await s.settings.update((current) => ({ ...current, storage: null }))
      await forgetSecretOf(s, previous, null)
      s.logger.info('storage cleared')
      return publishSettings(s)
    },
  }
}

/** Folder paths must be absolute: a relative one would depend on where Cairn was started. */
function checkConfig(config: StorageConfig): void {
  if (config.kind === 'folder' && !isAbsolute(config.path)) {
    throw new CairnError(
      'invalid_input',
      'Choose a folder by its full path (for example /home/you/cairn-backups).',
    )
  }
}

/**
 * Removes the secret of a configuration that is no longer used, unless it is the account still in
 * use. Best effort: a secret left in the keychain is not exposed anywhere.
 */
async function forgetSecretOf(
  s: CoreServices,
  previous: StorageConfig | null,
  keep: string | null,
): Promise<void> {
  const id = previous ? storageSecretId(previous) : null
  if (id === null) return
  const account = secretAccounts.storageSecret(id)
  if (account === keep) return
  try {
    await s.secrets.delete(account)
  } catch (error) {
    s.logger.warn('could not remove an old storage secret from the keychain', {
      reason: error instanceof Error ? error.message : String(error),
    })
  }
}
