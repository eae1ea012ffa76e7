import { CairnError } from '../../../shared/errors'
import { USER_DATA_LIMIT_BYTES } from '../hetzner/servers'
import { toYaml, type YamlValue } from './yaml'

/** The workspace user on every server Cairn creates. */
export const WORKSPACE_USER = 'dev'
/** Fixed so that restored files keep their owner across servers (restore maps by number). */
export const WORKSPACE_UID = 1000
export const SWAP_FILE = '/swapfile'
/** Written by cloud-init when its last stage is done; Cairn's readiness marker. */
export const BOOT_FINISHED_MARKER = '/var/lib/cloud/instance/boot-finished'
/** Bumped when the user data changes in a way that matters to readers of old servers. */
export const USER_DATA_FORMAT = 1

export interface UserDataInput {
  /** Goes into a comment and the final message, to tell servers apart in the console. */
  workspaceId: string
  /** OpenSSH public key lines for the dev user; the installation's key first. */
  authorizedKeys: string[]
  /** The server's ed25519 host key (see generateHostKey). */
  hostKey: { privateKey: string; publicKey: string }
  /** Size of /swapfile in bytes (see swapBytesFor); 0 for no swap. */
  swapBytes: number
  /** Extra Ubuntu packages; default none (see docs/provisioning.md). */
  packages?: string[]
}

const PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}( [\x20-\x7e]*)?$/
const ED25519_PUBLIC = /^ssh-ed25519 [A-Za-z0-9+/]+={0,2}$/
const OPENSSH_PRIVATE =
  /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END OPENSSH PRIVATE KEY-----\n?$/
const PACKAGE = /^[a-z0-9][a-z0-9+.-]{0,62}$/
const WORKSPACE_ID = /^[A-Za-z0-9._-]{1,63}$/

/**
 * The cloud-init `#cloud-config` for a new workspace server. It holds no credential and no
 * workspace secret (those are written over SSH after the server is up): the one private key in it
 * is the server's own host key, which Cairn generated so it can pin it from the first connection.
 * Contents and reasons: docs/provisioning.md.
 */
export function buildUserData(input: UserDataInput): string {
  validate(input)
  const doc: Record<string, YamlValue> = {
    users: [
      {
        name: WORKSPACE_USER,
        uid: WORKSPACE_UID,
        gecos: 'Cairn workspace',
        homedir: `/home/${WORKSPACE_USER}`,
        shell: '/bin/bash',
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        lock_passwd: true,
        ssh_authorized_keys: input.authorizedKeys.map((k) => k.trim()),
      },
    ],
    ssh_pwauth: false,
    disable_root: true,
    ssh_deletekeys: true,
    ssh_genkeytypes: [],
    ssh_keys: {
      ed25519_private: input.hostKey.privateKey.endsWith('\n')
        ? input.hostKey.privateKey
        : `${input.hostKey.privateKey}\n`,
      ed25519_public: input.hostKey.publicKey.trim(),
    },
  }
  if (input.swapBytes > 0) {
    doc.swap = { filename: SWAP_FILE, size: input.swapBytes, maxsize: input.swapBytes }
  }
  if (input.packages && input.packages.length > 0) doc.packages = input.packages
  doc.final_message = `Cairn workspace ${input.workspaceId}: cloud-init finished after $UPTIME s`
  const text =
    '#cloud-config\n' +
    `# Written by Cairn (user data format ${USER_DATA_FORMAT}) for workspace ${input.workspaceId}.\n` +
    "# No credentials: the only private key is this server's own SSH host key, which Cairn pins.\n" +
    toYaml(doc)
  const size = Buffer.byteLength(text)
  if (size > USER_DATA_LIMIT_BYTES) {
    throw new CairnError(
      'invalid_input',
      `The server's cloud-init user data would be ${size} bytes; Hetzner accepts at most ${USER_DATA_LIMIT_BYTES}. Use fewer or shorter SSH keys.`,
      { bytes: size, limit: USER_DATA_LIMIT_BYTES },
    )
  }
  return text
}

function validate(input: UserDataInput): void {
  if (!WORKSPACE_ID.test(input.workspaceId)) {
    throw new CairnError(
      'invalid_input',
      'A workspace id is 1 to 63 letters, digits, ".", "_" or "-".',
    )
  }
  if (input.authorizedKeys.length === 0) {
    throw new CairnError('invalid_input', 'A workspace server needs at least one SSH public key.')
  }
  for (const key of input.authorizedKeys) {
    if (!PUBLIC_KEY.test(key.trim())) {
      throw new CairnError(
        'invalid_input',
        `"${key.slice(0, 40)}…" is not an OpenSSH public key line ("ssh-ed25519 AAAA... comment").`,
      )
    }
  }
  if (!ED25519_PUBLIC.test(input.hostKey.publicKey.trim())) {
    throw new CairnError('invalid_input', 'The host key must be an ed25519 public key.')
  }
  if (!OPENSSH_PRIVATE.test(input.hostKey.privateKey)) {
    throw new CairnError('invalid_input', 'The host key must be an OpenSSH private key.')
  }
  if (!Number.isSafeInteger(input.swapBytes) || input.swapBytes < 0) {
    throw new CairnError('invalid_input', 'The swap size must be a whole number of bytes.')
  }
  for (const name of input.packages ?? []) {
    if (!PACKAGE.test(name)) {
      throw new CairnError('invalid_input', `"${name}" is not an Ubuntu package name.`)
    }
  }
}
