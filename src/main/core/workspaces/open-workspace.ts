import { spawn } from 'node:child_process'
import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { sshHostAlias } from '../ssh-config/host-alias'
import {
  terminalCommands,
  vsCodeCommand,
  vsCodeUri,
  type CommandLine,
} from '../ssh-config/open-commands'

export interface OpenResult {
  /** What Cairn ran (or would run), for people. */
  command: string
  launched: boolean
  problem: string | null
}

/**
 * Starts desktop programs (VS Code, a terminal). Injectable so tests assert on the command and
 * never open a window.
 */
export interface Launcher {
  /** Whether `program` can be started (found on PATH, or an existing path). */
  exists(program: string): Promise<boolean>
  /** Starts it detached from Cairn: it outlives Cairn, and Cairn never waits for it. */
  launch(command: CommandLine): Promise<void>
}

export interface LauncherOptions {
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
}

export function systemLauncher(options: LauncherOptions = {}): Launcher {
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  return {
    exists: (program) => onPath(program, env, platform),
    launch: (command) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(command.file, command.args, {
          detached: true,
          stdio: 'ignore',
          env,
          windowsHide: false,
        })
        child.once('error', reject)
        child.once('spawn', () => {
          child.unref()
          resolve()
        })
      }),
  }
}

async function onPath(
  program: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<boolean> {
  const exts =
    platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';')] : ['']
  const candidates = program.includes('/')
    ? [program]
    : (env.PATH ?? env.Path ?? '')
        .split(platform === 'win32' ? ';' : delimiter)
        .filter((d) => d !== '')
        .flatMap((dir) => exts.map((ext) => join(dir, program + ext)))
  for (const file of candidates) {
    try {
      await access(file, platform === 'win32' ? constants.F_OK : constants.X_OK)
      return true
    } catch {
      // Next.
    }
  }
  return false
}

/** The workspace must be reachable now; the message says what to do otherwise. */
export function requireRunning(record: WorkspaceRecord): void {
  if (record.state === 'running' && record.ssh) return
  throw new CairnError(
    'conflict',
    `The workspace ${record.name} is ${record.state}, so there is nothing to connect to. ` +
      (record.provider === 'hetzner' && record.state === 'stopped'
        ? 'Start it first.'
        : 'Wait until it runs.'),
  )
}

/** "Open in VS Code": `code --remote ssh-remote+cairn-<name> <first path>`. */
export async function openVsCode(
  record: WorkspaceRecord,
  launcher: Launcher,
  platform: NodeJS.Platform = process.platform,
): Promise<OpenResult> {
  requireRunning(record)
  const alias = sshHostAlias(record.name)
  const path = record.paths[0] ?? '/'
  const command = vsCodeCommand(alias, path, platform)
  const shown = `code --remote ssh-remote+${alias} ${shellWord(path)}`
  if (!(await launcher.exists('code'))) {
    return {
      command: shown,
      launched: false,
      problem:
        'The `code` command of VS Code is not on your PATH. Install VS Code with the Remote - SSH ' +
        'extension; on macOS run "Shell Command: Install \'code\' command in PATH" from its ' +
        `command palette. Or open ${vsCodeUri(alias, path)}`,
    }
  }
  return launchOrSay(launcher, command, shown)
}

/** "Open terminal": the first terminal program found runs `ssh cairn-<name>`. */
export async function openTerminal(
  record: WorkspaceRecord,
  launcher: Launcher,
  options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv } = {},
): Promise<OpenResult> {
  requireRunning(record)
  const alias = sshHostAlias(record.name)
  const candidates = terminalCommands(alias, options)
  for (const candidate of candidates) {
    if (await launcher.exists(candidate.file)) {
      return launchOrSay(launcher, candidate, describeCommand(candidate))
    }
  }
  const tried = [...new Set(candidates.map((c) => c.file))].join(', ')
  return {
    command: `ssh ${alias}`,
    launched: false,
    problem: `Cairn found no terminal program (looked for ${tried}). Install one, or run ssh ${alias} in yours.`,
  }
}

export function sshCommand(record: WorkspaceRecord): { command: string; alias: string } {
  requireRunning(record)
  const alias = sshHostAlias(record.name)
  return { command: `ssh ${alias}`, alias }
}

async function launchOrSay(
  launcher: Launcher,
  command: CommandLine,
  shown: string,
): Promise<OpenResult> {
  try {
    await launcher.launch(command)
    return { command: shown, launched: true, problem: null }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {
      command: shown,
      launched: false,
      problem: `Cairn could not start ${command.file}${code ? ` (${code})` : ''}. Run it yourself: ${shown}`,
    }
  }
}

function describeCommand(command: CommandLine): string {
  return [command.file, ...command.args].map(shellWord).join(' ')
}

function shellWord(arg: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}
