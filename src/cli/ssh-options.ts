import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { CairnError } from '../shared/errors'
import type { SshConnectOptions } from '../main/core/ssh/connection'
import { parsePinnedHostKey } from '../main/core/ssh/host-key'
import { pinnedKeyFromKnownHosts } from './known-hosts'
import type { CliEndpoint } from './locations'

export interface SshFlags {
  identity?: string
  knownHosts?: string
  hostKey?: string
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

/**
 * How to log in to an ssh:// endpoint: the private key (--identity, else ~/.ssh/id_ed25519,
 * id_ecdsa, id_rsa, the first that exists; passphrase from CAIRN_SSH_PASSPHRASE) and the pinned
 * host key (--host-key, else the entry for host:port in --known-hosts, default ~/.ssh/known_hosts).
 */
export async function sshConnectOptions(
  endpoint: Extract<CliEndpoint, { kind: 'ssh' }>,
  flags: SshFlags,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): Promise<SshConnectOptions> {
  const home = env.HOME || homedir()
  const hostKey = flags.hostKey
    ? checkedHostKey(flags.hostKey)
    : await hostKeyFromKnownHosts(endpoint, flags.knownHosts ?? join(home, '.ssh', 'known_hosts'))
  const { text: privateKey, file } = await readIdentity(flags.identity, home)
  const passphrase = env.CAIRN_SSH_PASSPHRASE
  const parsed = ssh2.utils.parseKey(privateKey, passphrase)
  if (parsed instanceof Error) {
    const encrypted = /passphrase|encrypted|decrypt/i.test(parsed.message)
    throw new CairnError(
      'invalid_input',
      encrypted
        ? `${file} is protected by a passphrase: set CAIRN_SSH_PASSPHRASE, or use a key without one.`
        : `${file} is not a private key Cairn can use (OpenSSH or PEM: ed25519, ECDSA or RSA).`,
    )
  }
  const options: SshConnectOptions = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    privateKey,
    hostKey,
    ...(signal ? { signal } : {}),
  }
  if (passphrase) options.passphrase = passphrase
  return options
}

function checkedHostKey(text: string): string {
  try {
    parsePinnedHostKey(text)
  } catch {
    throw new CairnError(
      'invalid_input',
      '--host-key takes a public key ("ssh-ed25519 AAAA...") or a fingerprint ("SHA256:...").',
    )
  }
  return text
}

async function hostKeyFromKnownHosts(
  endpoint: Extract<CliEndpoint, { kind: 'ssh' }>,
  file: string,
): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CairnError(
      'not_configured',
      code === 'ENOENT'
        ? `There is no known_hosts file at ${file}, so Cairn cannot check the host's identity. Pass --known-hosts FILE or --host-key KEY.`
        : `Cairn cannot read ${file} (${code}).`,
    )
  }
  return pinnedKeyFromKnownHosts(text, endpoint.host, endpoint.port, file)
}

async function readIdentity(
  flag: string | undefined,
  home: string,
): Promise<{ text: string; file: string }> {
  const candidates = flag ? [flag] : DEFAULT_IDENTITIES.map((n) => join(home, '.ssh', n))
  for (const file of candidates) {
    try {
      return { text: await readFile(file, 'utf8'), file }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (flag || code !== 'ENOENT') {
        throw new CairnError(
          code === 'ENOENT' ? 'not_found' : 'invalid_input',
          code === 'ENOENT'
            ? `The identity file ${file} does not exist.`
            : `Cairn cannot read the identity file ${file} (${code}).`,
        )
      }
    }
  }
  throw new CairnError(
    'not_configured',
    `No SSH key found (${DEFAULT_IDENTITIES.map((n) => `~/.ssh/${n}`).join(', ')}). Pass --identity FILE.`,
  )
}
