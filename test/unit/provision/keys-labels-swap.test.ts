import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  INSTALLATION_KEY_FILE,
  InstallationSshKey,
} from '../../../src/main/core/keys/installation-ssh-key'
import { SshKeyStore, sshKeyAccount } from '../../../src/main/core/keys/ssh-key-store'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { cairnServerLabels } from '../../../src/main/core/provision/labels'
import { swapBytesFor } from '../../../src/main/core/provision/swap'
import { MemorySecretStore } from '../../../src/main/core/secrets/memory-secret-store'
import { fingerprintOf } from '../../../src/main/core/ssh/host-key'

const GIB = 1024 ** 3

describe('generateHostKey', () => {
  it('makes an ed25519 pair in OpenSSH format whose halves belong together', () => {
    const key = generateHostKey()
    expect(key.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/)
    expect(key.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=*$/)
    const parsed = ssh2.utils.parseKey(key.privateKey)
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('unparseable')
    const blob = parsed.getPublicSSH()
    expect(`ssh-ed25519 ${blob.toString('base64')}`).toBe(key.publicKey)
    expect(key.fingerprint).toBe(fingerprintOf(blob))
    expect(generateHostKey().publicKey).not.toBe(key.publicKey)
  })
})

describe('cairnServerLabels', () => {
  it('labels managed-by=cairn and the workspace id, refusing ids Hetzner would', () => {
    expect(cairnServerLabels('ws-1a2b')).toEqual({
      'managed-by': 'cairn',
      'workspace-id': 'ws-1a2b',
    })
    for (const bad of ['', 'with space', '-x', 'x'.repeat(64), 'ä']) {
      expect(() => cairnServerLabels(bad)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      )
    }
  })
})

describe('swapBytesFor', () => {
  it('is the memory size, 1 to 8 GiB, at most a tenth of the disk', () => {
    expect(swapBytesFor(4, 40)).toBe(4 * GIB) // cx22
    expect(swapBytesFor(2, 40)).toBe(2 * GIB) // cpx11
    expect(swapBytesFor(0.5, 20)).toBe(1 * GIB)
    expect(swapBytesFor(16, 160)).toBe(8 * GIB)
    expect(swapBytesFor(32, 320)).toBe(8 * GIB)
    expect(swapBytesFor(8, 40)).toBe(4 * GIB) // disk-capped
    expect(swapBytesFor(4, 5)).toBe(0)
  })
})

describe('InstallationSshKey', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-installation-key-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates one key on first use, concurrently too, keeps the private half in the keychain only', async () => {
    const secrets = new MemorySecretStore()
    const store = new SshKeyStore(dir, secrets)
    const key = new InstallationSshKey(dir, store)
    expect(await key.current()).toBeNull()
    const [a, b, c] = await Promise.all([key.ensure(), key.ensure(), key.ensure()])
    expect(b).toEqual(a)
    expect(c).toEqual(a)
    expect(await store.list()).toHaveLength(1)
    expect(a.publicKey).toMatch(/^ssh-ed25519 \S+ cairn:cairn-installation$/)
    const priv = await key.privateKey()
    expect(secrets.values.get(sshKeyAccount(a.id))).toContain(priv.trim().split('\n')[1])
    for (const f of [INSTALLATION_KEY_FILE, 'ssh-keys.json']) {
      expect(await readFile(join(dir, f), 'utf8')).not.toContain('PRIVATE KEY')
    }
    // Another process (a restart) finds the same key.
    const again = new InstallationSshKey(dir, new SshKeyStore(dir, secrets))
    expect(await again.ensure()).toEqual(a)
  })

  it('says clearly when the key was removed, and makes a new one only when asked', async () => {
    const store = new SshKeyStore(dir, new MemorySecretStore())
    const key = new InstallationSshKey(dir, store)
    const first = await key.ensure()
    await store.delete(first.id)
    await expect(key.privateKey()).rejects.toMatchObject({ code: 'not_found' })
    const second = await key.ensure()
    expect(second.id).not.toBe(first.id)
  })
})
