import { KeytarSecretStore } from '../../src/main/core/secrets/keytar-secret-store'
import type { E2EOptions } from './harness'

/**
 * `useE2E({ secrets: noKeychain })`: a machine without a keychain, where the core's keytar store
 * cannot load its native library (the seam the core provides for exactly this).
 */
export const noKeychain: NonNullable<E2EOptions['secrets']> = (service) =>
  new KeytarSecretStore({
    service,
    loadKeytar: () => Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file')),
  })
