import { hostname } from 'node:os'
import { CairnError } from '../../../../shared/errors'
import { rotateMasterKey } from '../../repo/repository/rotate-master'
import type { RepositoryStatus } from '../../../../shared/domain/backup'
import type { Handlers } from '../dispatch'
import {
  initRepository,
  listWorkspaces,
  openRepository,
  openWorkspace,
  rotateWorkspaceKey,
} from '../../repo'
import type { CoreServices } from '../../services'
import { backupContext } from './backup-context'

/** The master key (keys.*), SSH login keys (sshKeys.*) and the repository itself (repository.*). */
export function backupKeysHandlers(
  s: CoreServices,
): Pick<
  Handlers,
  | 'keys.status'
  | 'keys.exportRecovery'
  | 'keys.importRecovery'
  | 'keys.rotateWorkspace'
  | 'keys.rotateMaster'
  | 'sshKeys.list'
  | 'sshKeys.generate'
  | 'sshKeys.importFile'
  | 'sshKeys.delete'
  | 'repository.status'
  | 'repository.init'
> {
  const context = backupContext(s)
  const keys = context.masterKeys

  return {
    'keys.status': async () => keys.status(),

    'keys.exportRecovery': async ({ again }) => {
      const exported = await keys.exportRecovery({ again })
      s.logger.info('recovery key shown', {
        keyId: exported.keyId,
        again: exported.previouslyShownAt !== null,
      })
      await context.publishKeys()
      return exported
    },

    'keys.importRecovery': async ({ recoveryKey, replace }, ctx) => {
      s.known.add(recoveryKey)
      let checked = false
      const result = await keys.importRecovery(recoveryKey, {
        replace,
        // With storage configured, the key must open the repository there before it is stored.
        check: async (key) => {
          const settings = await s.settings.get()
          if (!settings.storage) return
          const { store, close } = await context.configuredStore()
          try {
            await openRepository(store, key, ctx.signal ? { signal: ctx.signal } : {})
            checked = true
          } catch (error) {
            // No repository there yet: nothing to check against.
            if (error instanceof CairnError && error.code === 'not_found') return
            throw error
          } finally {
            close()
          }
        },
      })
      s.logger.info('master key imported', {
        keyId: result.keyId,
        unchanged: result.unchanged,
        replaced: result.replacedKeyId !== null,
      })
      if (!result.unchanged) await context.publishKeys()
      return { ...result, checkedAgainstRepository: checked }
    },

    'keys.rotateMaster': async (_input, ctx) => {
      const busy = s.jobs.list().filter((j) => j.state === 'running' || j.state === 'queued')
      if (busy.length > 0) {
        throw new CairnError(
          'conflict',
          'A backup, restore or other job is running. Rotate the master key when it has finished.',
        )
      }
      const { store, close } = await context.configuredStore()
      try {
        const { oldKey, newKey, resumed } = await keys.beginRotation()
        const { rewrapped } = await rotateMasterKey(store, oldKey, newKey, {
          host: hostname(),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        })
        const result = await keys.completeRotation(newKey)
        s.logger.info('master key rotated', {
          keyId: result.keyId,
          previousKeyId: result.previousKeyId,
          rewrapped,
          resumed,
        })
        await context.publishKeys()
        return { ...result, rewrapped, resumed }
      } finally {
        close()
      }
    },

    'keys.rotateWorkspace': async ({ workspaceId }, ctx) => {
      const { repo, close } = await context.openRepository(ctx.signal)
      try {
        const workspace = await openWorkspace(repo, workspaceId, { signal: ctx.signal })
        const keyVersion = await rotateWorkspaceKey(workspace)
        s.logger.info('workspace key rotated', { workspaceId, keyVersion })
        return { workspaceId, keyVersion }
      } finally {
        close()
      }
    },

    'sshKeys.list': async () => context.sshKeys.list(),
    'sshKeys.generate': async ({ name }) => {
      const key = await context.sshKeys.generate(name)
      s.logger.info('SSH key generated', { id: key.id, fingerprint: key.fingerprint })
      return key
    },
    'sshKeys.importFile': async ({ name, path, passphrase }) => {
      s.known.add(passphrase)
      const key = await context.sshKeys.importFile(name, path, passphrase)
      s.logger.info('SSH key imported', { id: key.id, fingerprint: key.fingerprint })
      return key
    },
    'sshKeys.delete': async ({ id }) => {
      await context.sshKeys.delete(id)
      s.logger.info('SSH key deleted', { id })
      return {}
    },

    'repository.status': async (_input, ctx) => repositoryStatus(s, ctx.signal),

    'repository.init': async (_input, ctx) => {
      const { store, close } = await context.configuredStore()
      try {
        const { key, created } = await keys.getOrCreate()
        const repo = await initRepository(store, key, ctx.signal ? { signal: ctx.signal } : {})
        const status = await keys.status()
        s.logger.info('repository created', { id: repo.id, masterKeyCreated: created })
        if (created) await context.publishKeys()
        return { repositoryId: repo.id, keyId: status.keyId!, masterKeyCreated: created }
      } finally {
        close()
      }
    },
  }
}

async function repositoryStatus(s: CoreServices, signal?: AbortSignal): Promise<RepositoryStatus> {
  const context = backupContext(s)
  const base: RepositoryStatus = {
    state: 'not_configured',
    location: null,
    repositoryId: null,
    workspaces: [],
    message: null,
  }
  const settings = await s.settings.get()
  if (!settings.storage) return base
  let opened
  try {
    opened = await context.configuredStore()
  } catch (error) {
    if (!(error instanceof CairnError)) throw error
    return { ...base, state: 'unavailable', message: error.message }
  }
  const { store, close } = opened
  const status = { ...base, location: store.description }
  try {
    const config = await store.head('config', signal ? { signal } : {})
    if (!config) {
      for await (const object of store.list('', signal ? { signal } : {})) {
        void object
        return {
          ...status,
          state: 'not_cairn',
          message: `${store.description} is not empty and holds no Cairn repository.`,
        }
      }
      return { ...status, state: 'no_repository' }
    }
    const key = await context.masterKeys.get()
    if (!key) return { ...status, state: 'no_master_key' }
    try {
      const repo = await openRepository(store, key, signal ? { signal } : {})
      const workspaces = await listWorkspaces(repo, signal ? { signal } : {})
      return { ...status, state: 'ready', repositoryId: repo.id, workspaces }
    } catch (error) {
      if (error instanceof CairnError && error.code === 'unauthorized') {
        return { ...status, state: 'wrong_key', message: error.message }
      }
      if (error instanceof CairnError && error.code === 'conflict') {
        return { ...status, state: 'not_cairn', message: error.message }
      }
      throw error
    }
  } catch (error) {
    if (!(error instanceof CairnError)) throw error
    return { ...status, state: 'unavailable', message: error.message }
  } finally {
    close()
  }
}
