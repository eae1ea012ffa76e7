import {
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
  chmod,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { BLOCK_BEGIN } from '../../../src/main/core/ssh-config/managed-block'
import { SshIntegration, type ManagedHost } from '../../../src/main/core/ssh-config/ssh-integration'

const mode = async (p: string) => (await stat(p)).mode & 0o777
const host = (alias: string): ManagedHost => ({
  alias,
  hostName: '127.0.0.9',
  port: 2222,
  hostKey: generateHostKey().publicKey,
})
const PRIVATE = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'

describe('SshIntegration (files in a temp home)', () => {
  let home: string
  let integration: SshIntegration
  let config: string
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'cairn-ssh-integration-'))
    config = join(home, '.ssh', 'config')
    integration = new SshIntegration({ sshConfig: config, cairnSshDir: join(home, 'data', 'ssh') })
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  it('creates ~/.ssh (0700) and config (0600) when absent; key and known_hosts 0600 in a 0700 dir', async () => {
    await integration.sync([host('cairn-a')], PRIVATE)
    expect(await mode(join(home, '.ssh'))).toBe(0o700)
    expect(await mode(config)).toBe(0o600)
    expect(await mode(join(home, 'data', 'ssh'))).toBe(0o700)
    expect(await mode(integration.identityFile)).toBe(0o600)
    expect(await mode(integration.knownHostsFile)).toBe(0o600)
    expect(await readFile(integration.identityFile, 'utf8')).toBe(PRIVATE)
    expect(await readFile(config, 'utf8')).toContain('Host cairn-a')
    expect(await readFile(integration.knownHostsFile, 'utf8')).toMatch(/^cairn-a ssh-ed25519 /m)
  })

  it('tightens a Cairn ssh folder made with a wider mode', async () => {
    await mkdir(join(home, 'data', 'ssh'), { recursive: true, mode: 0o755 })
    await chmod(join(home, 'data', 'ssh'), 0o755)
    await integration.sync([host('cairn-a')], PRIVATE)
    expect(await mode(join(home, 'data', 'ssh'))).toBe(0o700)
  })

  it('keeps every other byte, the file mode, and a symlinked config; removal restores the original', async () => {
    const dotfiles = join(home, 'dotfiles')
    await mkdir(join(home, '.ssh'), { mode: 0o755 })
    await mkdir(dotfiles)
    // Not UTF-8 (latin1 é), CRLF, no final newline: all must survive byte for byte.
    const original = Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\r\nHost *\r\n  User root\r\n  IdentityFile ~/.ssh/other'),
    ])
    await writeFile(join(dotfiles, 'ssh_config'), original, { mode: 0o644 })
    await chmod(join(dotfiles, 'ssh_config'), 0o644)
    await symlink(join(dotfiles, 'ssh_config'), config)

    await integration.sync([host('cairn-a'), host('cairn-b')], PRIVATE)
    expect((await lstat(config)).isSymbolicLink()).toBe(true)
    const written = await readFile(join(dotfiles, 'ssh_config'))
    expect(written.subarray(written.length - original.length).equals(original)).toBe(true)
    expect(written.toString('latin1').startsWith(BLOCK_BEGIN + '\r\n')).toBe(true)
    expect(await mode(join(dotfiles, 'ssh_config'))).toBe(0o644)
    expect(await mode(join(home, '.ssh'))).toBe(0o755) // an existing ~/.ssh is not changed

    await integration.sync([host('cairn-b')], PRIVATE)
    expect(await readFile(config, 'latin1')).not.toContain('cairn-a')

    await integration.sync([], PRIVATE)
    expect((await readFile(join(dotfiles, 'ssh_config'))).equals(original)).toBe(true)
    expect((await lstat(config)).isSymbolicLink()).toBe(true)
    await expect(stat(integration.identityFile)).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(stat(integration.knownHostsFile)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('puts non-ASCII data paths into the block as UTF-8', async () => {
    const data = join(home, 'Données Cairn', 'ssh')
    const i = new SshIntegration({ sshConfig: config, cairnSshDir: data })
    await i.sync([host('cairn-a')], PRIVATE)
    expect(await readFile(config, 'utf8')).toContain(`IdentityFile "${join(data, 'id_ed25519')}"`)
  })

  it('removes nothing and writes nothing when there is no block and no config', async () => {
    await integration.removeAll()
    await expect(stat(config)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('leaves a config with broken markers alone and says why', async () => {
    await mkdir(join(home, '.ssh'))
    await writeFile(config, `${BLOCK_BEGIN}\nHost x\n`)
    await expect(integration.sync([host('cairn-a')], PRIVATE)).rejects.toMatchObject({
      code: 'conflict',
    })
    expect(await readFile(config, 'utf8')).toBe(`${BLOCK_BEGIN}\nHost x\n`)
    await expect(stat(integration.identityFile)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
