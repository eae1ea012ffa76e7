import { CairnError } from '../../../shared/errors'

const ALIAS = /^cairn-[a-z0-9]([a-z0-9-]{0,58}[a-z0-9])?$/

/**
 * `cairn-<name>`: the Host name of a workspace in ~/.ssh/config, its HostKeyAlias, and what VS
 * Code's `ssh-remote+` takes. Lower-case letters, digits and dashes only, so it needs no quoting
 * anywhere (ssh_config, shells, URIs) and cannot be a pattern (`*`, `?`, `!`).
 */
export function sshHostAlias(workspaceName: string): string {
  const slug = workspaceName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 54)
    .replace(/-+$/, '')
  const alias = `cairn-${slug}`
  if (slug === '' || !ALIAS.test(alias)) {
    throw new CairnError(
      'invalid_input',
      `Cairn cannot make an SSH host name from "${workspaceName}": use letters or digits.`,
    )
  }
  return alias
}

export function assertHostAlias(alias: string): void {
  if (!ALIAS.test(alias)) {
    throw new CairnError('invalid_input', `"${alias}" is not a Cairn SSH host name (cairn-<name>).`)
  }
}
