import type { ProbeProcess } from './probe-sample'

/**
 * Coding agents by program name: the kernel name (`comm`), the program's file name, or, for
 * interpreters, the script's file name. `node .../bin/claude` and a native `claude` both match.
 */
export const AGENT_NAMES = [
  'claude',
  'codex',
  'aider',
  'gemini',
  'opencode',
  'cursor-agent',
  'goose',
  'amp',
  'crush',
  'qwen',
  'copilot',
  'droid',
  'auggie',
  'kiro-cli',
  'cline',
] as const

/** Packages whose entry scripts have generic names (cli.js, index.js). */
const AGENT_PACKAGES = [
  '@anthropic-ai/claude-code',
  '@openai/codex',
  '@google/gemini-cli',
  'opencode-ai',
  '@qwen-code/',
  '@github/copilot',
  '@sourcegraph/amp',
  '@charmland/crush',
  'aider-chat',
]

const INTERPRETERS = /^(node|nodejs|bun|deno|python[0-9.]*|sh|bash|dash|zsh|npx|uv|uvx|pipx)$/

/** VS Code's server and its forks (Cursor, Windsurf, VSCodium, `code tunnel`, code-server). */
const VSCODE_SERVER =
  /\/\.(vscode|vscode-insiders|cursor|windsurf|vscodium|vscode-oss|positron)-server\/|\/\.vscode\/cli\/servers\/|\/\.vscode-remote\/|\/code-server\//

const SSHD_SESSION = /^sshd(?:-session)?: (\S+?)@(\S+)/

function basename(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? path : path.slice(slash + 1)
}

/** The agent's name if this process is a coding agent. */
export function agentName(p: ProbeProcess): string | null {
  const names: readonly string[] = AGENT_NAMES
  const comm = p.comm.toLowerCase()
  if (names.includes(comm)) return comm
  const args = p.cmdline.split(' ').filter(Boolean)
  const program = basename(args[0] ?? '').toLowerCase()
  if (names.includes(program)) return program
  if (INTERPRETERS.test(program) || INTERPRETERS.test(comm)) {
    // The first argument that is not an option is the script.
    const script = args.slice(1).find((a) => !a.startsWith('-')) ?? ''
    const name = basename(script).toLowerCase()
    if (names.includes(name)) return name
    const pkg = AGENT_PACKAGES.find((marker) => script.includes(marker))
    if (pkg) return pkg.replace(/^@[^/]+\//, '').replace(/\/$/, '')
  }
  return null
}

export function isVscodeServer(p: ProbeProcess): boolean {
  return VSCODE_SERVER.test(p.cmdline)
}

/** A VS Code window's extension host: one per connected (or recently connected) window. */
export function isVscodeExtensionHost(p: ProbeProcess): boolean {
  return isVscodeServer(p) && /--type=extensionHost|extensionHostProcess/.test(p.cmdline)
}

export function isSshd(p: ProbeProcess): boolean {
  return p.comm === 'sshd' || p.comm === 'sshd-session' || p.cmdline.startsWith('sshd')
}

/** `sshd: dev@pts/0` / `sshd-session: dev@notty`: the process that serves one SSH session. */
export function sshSession(p: ProbeProcess): { user: string; tty: string } | null {
  if (!isSshd(p)) return null
  const match = SSHD_SESSION.exec(p.cmdline)
  return match ? { user: match[1] as string, tty: match[2] as string } : null
}

/** The terminal device of an encoded tty_nr (as the probe lists them), or null. */
export function terminalDevice(ttyNr: number): string | null {
  if (ttyNr === 0) return null
  const major = Math.floor(ttyNr / 256) % 4096
  const minor = (ttyNr % 256) + Math.floor(ttyNr / 1048576) * 256
  if (major >= 136 && major <= 143) return `/dev/pts/${(major - 136) * 256 + minor}`
  if (major === 4) return minor < 64 ? `/dev/tty${minor}` : `/dev/ttyS${minor - 64}`
  return null
}
