import { CairnError } from '../../../shared/errors'

/**
 * A file path as an ssh_config argument: in double quotes (macOS data dirs have spaces), `\` and
 * `"` escaped as OpenSSH's argument splitter expects, `%` doubled because IdentityFile and
 * UserKnownHostsFile expand %-tokens. On Windows, OpenSSH takes forward slashes.
 */
export function sshConfigPath(path: string, platform: NodeJS.Platform = process.platform): string {
  if (path === '' || hasControlCharacter(path)) {
    throw new CairnError('invalid_input', 'A path for the SSH config contains control characters.')
  }
  const normalised = platform === 'win32' ? path.replace(/\\/g, '/') : path
  return `"${normalised.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`
}

/**
 * A host name or address: letters, digits, dots, dashes, colons (IPv6), underscores (names some
 * local resolvers accept, as workspaces.adoptSsh does). None of them means anything to ssh_config.
 */
export function sshConfigHost(host: string): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) {
    throw new CairnError('invalid_input', `"${host}" is not a host name or IP address.`)
  }
  return host
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}
