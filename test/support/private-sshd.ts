import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A private OpenSSH server for tests that need a real sshd but not a whole fake VM: its own config,
 * host key, authorized_keys and log under a temp dir, listening on a random 127.0.0.x address. It
 * logs in as the user running the tests (root on the build machines) and touches nothing of the
 * machine's own sshd configuration.
 */
export interface PrivateSshd {
  host: string
  port: number
  username: string
  /** The client's private key (OpenSSH format) that the server accepts. */
  clientKey: Buffer
  /** The server's host public key, `ssh-ed25519 AAAA...`. */
  hostPublicKey: string
  /** A scratch directory that tests may fill; the server sees the same files. */
  dataDir: string
  /** Everything sshd logged so far (LogLevel VERBOSE). */
  log(): Promise<string>
  stop(): Promise<void>
}

export async function startPrivateSshd(): Promise<PrivateSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-sshd-'))
  const dataDir = join(dir, 'data')
  await mkdir(dataDir)
  // sshd refuses to start without its privilege separation directory.
  await mkdir('/run/sshd', { recursive: true })
  keygen(join(dir, 'host_ed25519'))
  keygen(join(dir, 'client_ed25519'))
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_ed25519.pub')))
  const username = execFileSync('id', ['-un']).toString().trim()

  let lastError: unknown
  for (let attempt = 0; attempt < 8; attempt++) {
    const host = `127.0.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`
    const port = 20_000 + Math.floor(Math.random() * 40_000)
    const config = [
      `ListenAddress ${host}:${port}`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UseDNS no',
      'MaxSessions 20',
      'MaxStartups 50',
      'LogLevel VERBOSE',
      '',
    ].join('\n')
    const configPath = join(dir, 'sshd_config')
    await writeFile(configPath, config)
    const logPath = join(dir, 'sshd.log')
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configPath, '-E', logPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    try {
      await waitForBanner(host, port, child)
      return {
        host,
        port,
        username,
        clientKey: await readFile(join(dir, 'client_ed25519')),
        hostPublicKey: (await readFile(join(dir, 'host_ed25519.pub'), 'utf8')).trim(),
        dataDir,
        log: () => readFile(logPath, 'utf8').catch(() => ''),
        stop: async () => {
          await stopChild(child)
          await rm(dir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      lastError = new Error(`sshd did not start: ${String(error)} ${stderr}`)
      await stopChild(child)
    }
  }
  await rm(dir, { recursive: true, force: true })
  throw lastError
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cairn-test', '-f', path])
}

async function waitForBanner(host: string, port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port })
      socket.once('data', (d) => {
        socket.destroy()
        resolve(d.toString().startsWith('SSH-'))
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('timed out waiting for the SSH banner')
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}
