import { describe, expect, it } from 'vitest'
import {
  KeytarSecretStore,
  type KeytarApi,
} from '../../../src/main/core/secrets/keytar-secret-store'

/** A keytar stand-in whose calls hang until released, to exercise the timeout path. */
function hangingKeytar() {
  const calls: string[] = []
  let release: (() => void) | null = null
  const api: KeytarApi = {
    getPassword: async (_service, account) => {
      calls.push(account)
      if (account === 'hang') {
        await new Promise<void>((r) => (release = r))
      }
      return account === 'present' ? 'value-of-present' : null
    },
    setPassword: async () => {},
    deletePassword: async () => true,
  }
  return { api, calls, release: () => release?.() }
}

describe('KeytarSecretStore', () => {
  it('treats a keychain that does not answer as unavailable, and does not pile up calls on it', async () => {
    const fake = hangingKeytar()
    const store = new KeytarSecretStore({
      timeoutMs: 50,
      platform: 'linux',
      loadKeytar: async () => fake.api,
    })
    const started = Date.now()
    await expect(store.get('hang')).rejects.toMatchObject({
      code: 'keychain_unavailable',
      message: expect.stringContaining('did not answer'),
    })
    expect(Date.now() - started).toBeLessThan(2000)
    // While that call is stuck, nothing more is sent to the keychain.
    await expect(store.get('present')).rejects.toMatchObject({ code: 'keychain_unavailable' })
    expect((await store.status()).available).toBe(false)
    expect(fake.calls).toEqual(['hang'])
    // Once it returns, the keychain is used again.
    fake.release()
    await new Promise((r) => setTimeout(r, 0))
    expect(await store.get('present')).toBe('value-of-present')
    expect(await store.status()).toEqual({ available: true, backend: 'Secret Service' })
  })

  it('reports a keychain library that cannot load, with instructions per OS', async () => {
    const broken = async (): Promise<KeytarApi> => {
      throw new Error('libsecret-1.so.0: cannot open shared object file')
    }
    const linux = new KeytarSecretStore({ platform: 'linux', loadKeytar: broken })
    const status = await linux.status()
    expect(status.available).toBe(false)
    expect(status.backend).toBe('Secret Service')
    expect(status.message).toContain('gnome-keyring')
    expect(status.message).toContain('libsecret-1.so.0')
    const mac = new KeytarSecretStore({ platform: 'darwin', loadKeytar: broken })
    await expect(mac.set('a', 'b')).rejects.toMatchObject({
      code: 'keychain_unavailable',
      message: expect.stringContaining('macOS Keychain'),
    })
    const win = await new KeytarSecretStore({ platform: 'win32', loadKeytar: broken }).status()
    expect(win).toMatchObject({ available: false, backend: 'Windows Credential Manager' })
  })

  it('maps library errors to keychain_unavailable and reports values it sees', async () => {
    const seen: string[] = []
    const store = new KeytarSecretStore({
      platform: 'linux',
      onSecret: (v) => seen.push(v),
      loadKeytar: async () => ({
        getPassword: async () => 'stored-secret',
        setPassword: async () => {
          throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')
        },
        deletePassword: async () => false,
      }),
    })
    expect(await store.get('x')).toBe('stored-secret')
    await expect(store.set('y', 'new-secret')).rejects.toMatchObject({
      code: 'keychain_unavailable',
      message: expect.stringContaining('Cannot autolaunch D-Bus'),
    })
    expect(seen).toEqual(['stored-secret', 'new-secret'])
  })
})
