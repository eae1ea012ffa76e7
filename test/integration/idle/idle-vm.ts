import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import type { TestVm } from '../../support/remote-vm'
import { knownHostsName } from '../../support/ssh-names'

/** An interactive SSH session of "the user", through OpenSSH's own client with a terminal. */
export interface UserSession {
  /** Types into the terminal (the remote shell reads it). */
  type(text: string): void
  /** Waits until the session printed `marker`. */
  waitFor(marker: string, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function openUserSession(vm: TestVm): Promise<UserSession> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-idle-ssh-'))
  const key = path.join(dir, 'key')
  const knownHosts = path.join(dir, 'known_hosts')
  await writeFile(key, vm.userKey, { mode: 0o600 })
  await writeFile(knownHosts, `${knownHostsName(vm.ip, vm.port)} ${vm.hostPublic}\n`)
  const child: ChildProcess = spawn(
    'ssh',
    [
      '-tt',
      '-i',
      key,
      '-p',
      String(vm.port),
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'LogLevel=ERROR',
      `dev@${vm.ip}`,
      'exec bash --norc --noprofile',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')))
  const session: UserSession = {
    type: (text) => child.stdin?.write(text),
    waitFor: async (marker, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs
      while (!output.includes(marker)) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no "${marker}" from the SSH session; it said: ${output.slice(-500)}`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    close: async () => {
      child.kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return session
}

/** Runs a command as the user over a connection that is not Cairn's probe. */
export async function sh(conn: SshConnection, command: string): Promise<string> {
  const result = await conn.run(command)
  if (result.code !== 0) {
    throw new Error(`${command}: exit ${result.code}: ${result.stderr.toString('utf8')}`)
  }
  return result.stdout.toString('utf8')
}

/**
 * A stand-in for a coding agent, installed as ~/bin/claude: it works for `$1` seconds (CPU,
 * transcript lines in ~/.claude/projects), then waits quietly for `$2` seconds.
 */
export const FAKE_AGENT = `#!/bin/sh
mkdir -p "$HOME/.claude/projects/demo"
end=$(( $(date +%s) + $1 ))
while [ "$(date +%s)" -lt "$end" ]; do
  echo '{"type":"assistant","message":"working"}' >> "$HOME/.claude/projects/demo/session.jsonl"
  i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done
done
sleep "$2"
`
