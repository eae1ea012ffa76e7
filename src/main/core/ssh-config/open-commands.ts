import { CairnError } from '../../../shared/errors'
import { assertHostAlias } from './host-alias'

/** A program and its arguments, for spawn() without a shell. */
export interface CommandLine {
  file: string
  args: string[]
}

function assertRemotePath(path: string): void {
  if (!path.startsWith('/') || path === '' || hasControlCharacter(path)) {
    throw new CairnError('invalid_input', `"${path}" is not an absolute path on the workspace.`)
  }
}

/**
 * "Open in VS Code": `code --remote ssh-remote+cairn-<name> <path>`. On Windows `code` is a .cmd
 * script, which Node only starts through cmd.exe; the arguments are then checked to hold nothing
 * cmd.exe would interpret.
 */
export function vsCodeCommand(
  alias: string,
  remotePath: string,
  platform: NodeJS.Platform = process.platform,
): CommandLine {
  assertHostAlias(alias)
  assertRemotePath(remotePath)
  const args = ['--remote', `ssh-remote+${alias}`, remotePath]
  if (platform !== 'win32') return { file: 'code', args }
  if (/[\s"%!^&|<>()]/.test(remotePath)) {
    throw new CairnError(
      'invalid_input',
      'On Windows, Cairn opens only folder paths without spaces or special characters in VS Code; use the vscode:// link instead.',
    )
  }
  return { file: 'cmd.exe', args: ['/d', '/c', 'code', ...args] }
}

/**
 * The same as a link VS Code handles when the `code` command is not installed:
 * `vscode://vscode-remote/ssh-remote+cairn-<name>/<path>` (for the shell's openExternal).
 */
export function vsCodeUri(alias: string, remotePath: string): string {
  assertHostAlias(alias)
  assertRemotePath(remotePath)
  const path = remotePath.split('/').map(encodeURIComponent).join('/')
  return `vscode://vscode-remote/ssh-remote+${alias}${path}`
}

/** POSIX shell quoting: `'...'` with embedded quotes as `'\''`. */
function shQuote(arg: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * "Open terminal": candidates to try in order (the first whose program exists wins; nothing here
 * spawns). `ssh` is the command to run in it, by default `ssh cairn-<name>`, which works because
 * of the managed ~/.ssh/config block.
 */
export function terminalCommands(
  alias: string,
  options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; ssh?: string[] } = {},
): CommandLine[] {
  assertHostAlias(alias)
  const platform = options.platform ?? process.platform
  const env = options.env ?? process.env
  const ssh = options.ssh ?? ['ssh', alias]
  if (platform === 'darwin') {
    const shell = ssh.map(shQuote).join(' ')
    const script = `tell application "Terminal" to do script "${shell.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
    return [
      { file: 'osascript', args: ['-e', script, '-e', 'tell application "Terminal" to activate'] },
    ]
  }
  if (platform === 'win32') {
    if (ssh.some((a) => /[\s"%!^&|<>()]/.test(a))) {
      throw new CairnError(
        'invalid_input',
        'The terminal command holds characters cmd.exe would interpret.',
      )
    }
    return [
      { file: 'wt.exe', args: ['new-tab', '--title', alias, ...ssh] },
      { file: 'cmd.exe', args: ['/d', '/c', 'start', 'cmd.exe', '/k', ...ssh] },
    ]
  }
  const linux: CommandLine[] = [
    { file: 'x-terminal-emulator', args: ['-e', ...ssh] },
    { file: 'gnome-terminal', args: ['--', ...ssh] },
    { file: 'konsole', args: ['-e', ...ssh] },
    { file: 'xfce4-terminal', args: ['-x', ...ssh] },
    { file: 'kitty', args: ssh },
    { file: 'alacritty', args: ['-e', ...ssh] },
    { file: 'wezterm', args: ['start', '--', ...ssh] },
    { file: 'foot', args: ssh },
    { file: 'xterm', args: ['-e', ...ssh] },
  ]
  const preferred = env.TERMINAL?.trim()
  if (preferred && /^[A-Za-z0-9_./-]+$/.test(preferred)) {
    return [{ file: preferred, args: ['-e', ...ssh] }, ...linux.filter((c) => c.file !== preferred)]
  }
  return linux
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}
