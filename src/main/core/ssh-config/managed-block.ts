import { CairnError } from '../../../shared/errors'
import { assertHostAlias } from './host-alias'
import { sshConfigHost, sshConfigPath } from './config-values'

export const BLOCK_BEGIN = '# BEGIN CAIRN MANAGED BLOCK: Cairn rewrites this block, edit outside it'
export const BLOCK_END = '# END CAIRN MANAGED BLOCK'

export interface HostEntry {
  /** `cairn-<name>` (sshHostAlias) */
  alias: string
  hostName: string
  port: number
  user: string
  /** This host's own private key file (a host you brought); default `BlockFiles.identityFile`. */
  identityFile?: string
}

export interface BlockFiles {
  /** The installation's private key as a file (`<dataDir>/ssh/id_ed25519`). */
  identityFile: string
  /** Cairn's own known_hosts (`<dataDir>/ssh/known_hosts`). */
  knownHostsFile: string
  platform?: NodeJS.Platform
}

/**
 * The block's lines, without line endings. OpenSSH takes the first value it finds for each option,
 * so the block goes above everything else in the file (see applyBlock); it ends with `Host *` so
 * that lines after it which were outside any Host section before stay so.
 */
export function renderBlock(entries: HostEntry[], files: BlockFiles): string[] {
  const identity = sshConfigPath(files.identityFile, files.platform)
  const knownHosts = sshConfigPath(files.knownHostsFile, files.platform)
  const seen = new Set<string>()
  const lines = [BLOCK_BEGIN]
  for (const e of [...entries].sort((a, b) => a.alias.localeCompare(b.alias))) {
    assertHostAlias(e.alias)
    if (seen.has(e.alias)) {
      throw new CairnError(
        'conflict',
        `Two workspaces would both be "${e.alias}" in ~/.ssh/config.`,
      )
    }
    seen.add(e.alias)
    if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
      throw new CairnError('invalid_input', `${e.port} is not a TCP port.`)
    }
    // The user names an adopted host may have (as workspaces.adoptSsh takes them): nothing that
    // ssh_config would split or expand.
    if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(e.user)) {
      throw new CairnError('invalid_input', `"${e.user}" is not a user name.`)
    }
    lines.push(
      `Host ${e.alias}`,
      `  HostName ${sshConfigHost(e.hostName)}`,
      `  Port ${e.port}`,
      `  User ${e.user}`,
      `  IdentityFile ${e.identityFile === undefined ? identity : sshConfigPath(e.identityFile, files.platform)}`,
      `  IdentitiesOnly yes`,
      `  HostKeyAlias ${e.alias}`,
      `  UserKnownHostsFile ${knownHosts}`,
      `  StrictHostKeyChecking yes`,
      `  UpdateHostKeys no`,
      `  CheckHostIP no`,
    )
  }
  lines.push('Host *', BLOCK_END)
  return lines
}

interface Found {
  /** Character offsets: start of the BEGIN line, end of the END line including its line ending. */
  start: number
  end: number
}

/** Every complete block in `text`; a BEGIN without END (or the reverse) is refused. */
function findBlocks(text: string): Found[] {
  const blocks: Found[] = []
  let open: number | null = null
  let offset = 0
  for (const line of text.split(/(?<=\n)/)) {
    let content = line.replace(/\r?\n$/, '').trimEnd()
    // A byte order mark belongs to the file, not to a block that starts on its first line.
    const bom = offset === 0 ? (/^(\uFEFF|\xEF\xBB\xBF)/.exec(content)?.[0] ?? '') : ''
    content = content.slice(bom.length)
    if (content === BLOCK_BEGIN) {
      if (open !== null) throw damaged()
      open = offset + bom.length
    } else if (content === BLOCK_END) {
      if (open === null) throw damaged()
      blocks.push({ start: open, end: offset + line.length })
      open = null
    }
    offset += line.length
  }
  if (open !== null) throw damaged()
  return blocks
}

function damaged(): CairnError {
  return new CairnError(
    'conflict',
    `Your SSH config has an incomplete Cairn block (its "${BLOCK_BEGIN}" and "${BLOCK_END}" lines do not pair up). Cairn leaves the file alone: remove the Cairn lines or restore both markers.`,
  )
}

/**
 * `text` (null: no file) with Cairn's block set to `lines`, or removed when `lines` is null.
 * Everything outside the block stays byte for byte: line endings (the block uses the file's own,
 * CRLF or LF), a missing final newline, a byte order mark (as U+FEFF, or as its UTF-8 bytes when
 * the text was decoded as latin1), Include lines.
 *
 * A new block goes at the very top, because ssh uses the first value found for each option: a
 * `Host *` or `Match` section above it could otherwise override Port, User or IdentityFile. An
 * existing block stays where it is (someone may have moved it on purpose); extra copies are
 * removed. Returns null when there is no file and nothing to write.
 */
export function applyBlock(text: string | null, lines: string[] | null): string | null {
  if (text === null) return lines === null ? null : lines.join('\n') + '\n'
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const block = lines === null ? '' : lines.join(eol) + eol
  const blocks = findBlocks(text)
  if (blocks.length === 0) {
    if (lines === null) return text
    const bom = ['\uFEFF', '\xEF\xBB\xBF'].find((b) => text.startsWith(b)) ?? ''
    return bom + block + text.slice(bom.length)
  }
  let out = ''
  let from = 0
  blocks.forEach((b, i) => {
    out += text.slice(from, b.start) + (i === 0 ? block : '')
    from = b.end
  })
  return out + text.slice(from)
}
