import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { renderBlock } from '../../../src/main/core/ssh-config/managed-block'
import { SshIntegration } from '../../../src/main/core/ssh-config/ssh-integration'
import { generateEd25519KeyPair } from '../../../src/main/core/ssh/ed25519-key'

// Made at run time; the brought key without its final newline, which the file must get.
const INSTALLATION = generateEd25519KeyPair().privateKey
const BROUGHT = generateEd25519KeyPair().privateKey.trimEnd()

describe('ssh config: hosts with a key of their own', () => {
  let home: string
  let config: string
  let integration: SshIntegration
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'cairn-ssh-identities-'))
    config = join(home, '.ssh', 'config')
    integration = new SshIntegration({ sshConfig: config, cairnSshDir: join(home, 'data', 'ssh') })
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  const cloud = {
    alias: 'cairn-cloud',
    hostName: '10.0.0.1',
    port: 22,
    hostKey: generateHostKey().publicKey,
  }
  const brought = {
    alias: 'cairn-home',
    hostName: 'build_box.lan',
    port: 2200,
    user: 'Alice.B',
    hostKey: generateHostKey().publicKey,
    identity: { keyId: 'k-1', privateKey: BROUGHT },
  }

  it('writes each own key 0600 and names it in its host; the installation key only when used', async () => {
    await integration.sync([cloud, brought], INSTALLATION)
    const own = integration.hostIdentityFile('k-1')
    expect(await readFile(own, 'utf8')).toBe(`${BROUGHT}\n`)
    expect((await stat(own)).mode & 0o777).toBe(0o600)
    expect(await readFile(integration.identityFile, 'utf8')).toBe(INSTALLATION)
    const text = await readFile(config, 'utf8')
    const home = text.slice(text.indexOf('Host cairn-home'))
    expect(home).toContain(`IdentityFile "${own}"`)
    expect(home).toContain('User Alice.B')
    expect(home).toContain('HostName build_box.lan')

    await integration.sync([brought], null)
    await expect(stat(integration.identityFile)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await readFile(config, 'utf8')).not.toContain('cairn-cloud')

    await integration.sync([cloud], INSTALLATION)
    await expect(stat(own)).rejects.toMatchObject({ code: 'ENOENT' })

    await integration.sync([brought], null)
    await integration.removeAll()
    await expect(stat(own)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses to list a host that needs the installation key without it, and odd key ids', async () => {
    await expect(integration.sync([cloud], null)).rejects.toMatchObject({ code: 'internal' })
    expect(() => integration.hostIdentityFile('../x')).toThrow()
  })

  it('renders user names and hosts that adoptSsh accepts, and refuses ones ssh_config would split', () => {
    const files = { identityFile: '/d/id', knownHostsFile: '/d/kh' }
    const entry = { alias: 'cairn-a', hostName: 'my_host', port: 22, user: 'First.Last-1' }
    expect(renderBlock([entry], files)).toContain('  User First.Last-1')
    expect(() => renderBlock([{ ...entry, user: 'a b' }], files)).toThrow()
    expect(() => renderBlock([{ ...entry, hostName: 'a b' }], files)).toThrow()
    expect(renderBlock([{ ...entry, identityFile: '/d/own key' }], files)).toContain(
      '  IdentityFile "/d/own key"',
    )
  })
})
