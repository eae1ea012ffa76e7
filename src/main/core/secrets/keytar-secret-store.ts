import { CairnError } from '../../../shared/errors'
import type { KeychainStatus } from '../../../shared/domain/keychain'
import { keychainBackendName, keychainUnavailableMessage } from './keychain-messages'
import { SECRET_SERVICE, type SecretStore } from './secret-store'

/** The part of keytar Cairn uses. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
}

export interface KeytarSecretStoreOptions {
  service?: string
  /**
   * How long one keychain call may take before the keychain counts as unavailable. libsecret can
   * block for a long time when the D-Bus session exists but nothing answers on it.
   */
  timeoutMs?: number
  platform?: NodeJS.Platform
  /** Loads the native module; injectable so tests can simulate a missing or hanging library. */
  loadKeytar?: () => Promise<KeytarApi>
  /** Called with every secret value read or written, so logs and settings can be guarded. */
  onSecret?: (value: string) => void
}

const PROBE_ACCOUNT = 'cairn-keychain-probe'

async function importKeytar(): Promise<KeytarApi> {
  // Imported on first use: keytar is native and links libsecret, so a static import would make
  // the whole core fail to load on a machine without it instead of reporting a clear status.
  const mod = (await import('keytar')) as unknown as { default?: KeytarApi } & KeytarApi
  return mod.default ?? mod
}

/**
 * Secrets in the OS keychain through keytar. There is no fallback: without a keychain every call
 * throws CairnError('keychain_unavailable') saying how to get one.
 *
 * keytar runs each call on a libuv worker thread and cannot cancel it. A call that hangs (a D-Bus
 * session with nobody answering) would hold that thread forever, and the pool has only four, shared
 * with file I/O. So after one call times out, further calls are refused at once until it returns.
 */
export class KeytarSecretStore implements SecretStore {
  private readonly service: string
  private readonly timeoutMs: number
  private readonly platform: NodeJS.Platform
  private readonly loadKeytar: () => Promise<KeytarApi>
  private readonly onSecret: (value: string) => void
  private keytar: Promise<KeytarApi> | null = null
  private hungCall: Promise<unknown> | null = null

  constructor(options: KeytarSecretStoreOptions = {}) {
    this.service = options.service ?? SECRET_SERVICE
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.platform = options.platform ?? process.platform
    this.loadKeytar = options.loadKeytar ?? importKeytar
    this.onSecret = options.onSecret ?? (() => {})
  }

  /**
   * True while a keychain call that timed out has still not returned. Its worker thread cannot be
   * stopped, and Node joins the thread pool on exit, so a process exiting now would wait for it.
   */
  get hasHungCall(): boolean {
    return this.hungCall !== null
  }

  async get(account: string): Promise<string | null> {
    const value = await this.call((k) => k.getPassword(this.service, account))
    if (value !== null) this.onSecret(value)
    return value
  }

  async set(account: string, value: string): Promise<void> {
    this.onSecret(value)
    await this.call((k) => k.setPassword(this.service, account, value))
  }

  async delete(account: string): Promise<boolean> {
    return this.call((k) => k.deletePassword(this.service, account))
  }

  async status(): Promise<KeychainStatus> {
    const backend = keychainBackendName(this.platform)
    try {
      await this.call((k) => k.getPassword(this.service, PROBE_ACCOUNT))
      return { available: true, backend }
    } catch (error) {
      const message =
        error instanceof CairnError ? error.message : keychainUnavailableMessage(this.platform, '')
      return { available: false, backend, message }
    }
  }

  private async call<T>(fn: (keytar: KeytarApi) => Promise<T>): Promise<T> {
    if (this.hungCall) throw this.unavailable('an earlier request to it has not returned')
    let keytar: KeytarApi
    try {
      this.keytar ??= this.loadKeytar()
      keytar = await this.keytar
    } catch (error) {
      this.keytar = null
      throw this.unavailable(`the keychain library could not be loaded: ${shortReason(error)}`)
    }
    const pending = fn(keytar)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs)
    })
    try {
      const outcome = await Promise.race([pending.then((value) => ({ value })), timeout])
      if (outcome === 'timeout') {
        const hung = pending
          .catch(() => {})
          .finally(() => {
            if (this.hungCall === hung) this.hungCall = null
          })
        this.hungCall = hung
        throw this.unavailable(`it did not answer within ${Math.round(this.timeoutMs / 1000)} s`)
      }
      return outcome.value
    } catch (error) {
      if (error instanceof CairnError) throw error
      throw this.unavailable(shortReason(error))
    } finally {
      clearTimeout(timer)
    }
  }

  private unavailable(reason: string): CairnError {
    return new CairnError('keychain_unavailable', keychainUnavailableMessage(this.platform, reason))
  }
}

/** The library's message, one line, bounded. It names a D-Bus or keychain condition, not a value. */
function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0]!.slice(0, 160)
}
