import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ProcessGroup } from './processes'
import type { TrackedProcess } from './processes'

const execFileAsync = promisify(execFile)

export interface KeyringOptions {
  /** Unlock password of the private "login" keyring. Not a secret: the keyring is throwaway. */
  password?: string
}

export interface LocalKeyring {
  /**
   * What a process needs to reach this Secret Service (keytar/libsecret only read the session
   * bus address). Merge it into a child's env; nothing else of the environment changes.
   */
  env: { DBUS_SESSION_BUS_ADDRESS: string }
  /** The temp directory holding the bus socket and keyring files. */
  dir: string
  stop(): Promise<void>
}

// A bus of our own, listening on a socket in our temp dir, with no service activation: nothing
// of the desktop session (or the machine's D-Bus services) is reachable through it.
const busConfig = (
  socket: string,
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

function readFirstLine(proc: TrackedProcess, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start in time`)), timeoutMs)
    proc.child.stdout?.setEncoding('utf8')
    proc.child.stdout?.on('data', (d: string) => {
      buf += d
      const i = buf.indexOf('\n')
      if (i >= 0) {
        clearTimeout(timer)
        resolve(buf.slice(0, i).trim())
      }
    })
    void proc.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited early (${code})`))
    })
  })
}

async function secretServiceOwned(env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const { stdout } = await execFileAsync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env, timeout: 2000 },
    )
    return /boolean true/.test(stdout)
  } catch {
    return false
  }
}

/**
 * Starts a private D-Bus session bus and a gnome-keyring Secret Service on it, with HOME and the
 * XDG directories pointing into a temp dir, so the machine's own keyring and home stay untouched.
 */
export async function startKeyring(
  options: KeyringOptions = {},
  processes = new ProcessGroup(),
): Promise<LocalKeyring> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-keyring-'))
  processes.trackDir(dir)
  const ownProcesses: TrackedProcess[] = []
  const stop = async () => {
    for (const p of ownProcesses.reverse()) await p.stop()
    await rm(dir, { recursive: true, force: true })
    processes.untrackDir(dir)
  }
  try {
    const home = path.join(dir, 'home')
    const runtime = path.join(dir, 'run')
    await mkdir(home, { recursive: true })
    await mkdir(runtime, { recursive: true, mode: 0o700 })
    const configFile = path.join(dir, 'bus.conf')
    await writeFile(configFile, busConfig(path.join(dir, 'bus')))

    const dbus = processes.spawn(
      'dbus-daemon',
      [`--config-file=${configFile}`, '--nofork', '--nopidfile', '--print-address=1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
    ownProcesses.push(dbus)
    const address = await readFirstLine(dbus, 'dbus-daemon', 10_000)

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_RUNTIME_DIR: runtime,
      DBUS_SESSION_BUS_ADDRESS: address,
    }
    const keyring = processes.spawn(
      'gnome-keyring-daemon',
      ['--foreground', '--unlock', '--components=secrets'],
      { env, stdio: ['pipe', 'ignore', 'ignore'] },
    )
    ownProcesses.push(keyring)
    // --unlock reads the password from stdin; the first run creates the "login" keyring with it,
    // which libsecret then uses as the default collection (no prompt needed).
    keyring.child.stdin?.end(options.password ?? 'cairn-local-keyring')

    const deadline = Date.now() + 10_000
    while (!(await secretServiceOwned(env))) {
      if (keyring.hasExited()) throw new Error('gnome-keyring-daemon exited during start')
      if (Date.now() > deadline) throw new Error('gnome-keyring-daemon did not start in time')
      await new Promise((r) => setTimeout(r, 50))
    }
    return { env: { DBUS_SESSION_BUS_ADDRESS: address }, dir, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
