import type { TestProject } from 'vitest/node'
import { startLocalCloud } from '../../cloud/index'
import type { LocalCloud } from '../../cloud/index'
import type { CloudInfo } from './cloud-info'

// Starts the local cloud once per vitest run, for every project that lists this file (integration,
// e2e, soak share one cloud when run together), provides its info to tests, and puts the private
// keyring's env into process.env so test workers — started after this — inherit it.

interface Shared {
  cloud: Promise<LocalCloud>
  users: number
  savedEnv: Record<string, string | undefined>
}

const KEY = Symbol.for('cairn.localCloud')
const registry = globalThis as unknown as Record<symbol, Shared | undefined>

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared = registry[KEY]
  if (!shared) {
    const created: Shared = {
      cloud: startLocalCloud({
        // Rare events worth seeing in a test log (a fake VM that did not boot, and why).
        hetzner: { log: (message) => process.stderr.write(`[local cloud] ${message}\n`) },
      }),
      users: 0,
      savedEnv: {},
    }
    registry[KEY] = created
    shared = created
    try {
      const cloud = await created.cloud
      for (const [k, v] of Object.entries(cloud.info.keyring?.env ?? {})) {
        created.savedEnv[k] = process.env[k]
        process.env[k] = v
      }
    } catch (error) {
      registry[KEY] = undefined
      throw error
    }
  }
  shared.users++
  const cloud = await shared.cloud
  project.provide('cloud', cloud.info as CloudInfo)

  const own = shared
  return async () => {
    own.users--
    if (own.users > 0) return
    registry[KEY] = undefined
    for (const [k, v] of Object.entries(own.savedEnv)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    await cloud.stop()
  }
}
