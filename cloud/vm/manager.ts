import { execFile } from 'node:child_process'
import { appendFile, chmod, chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { ProcessGroup } from '../processes'
import type { TrackedProcess } from '../processes'
import { bootScript, cloudInitShim } from './boot-script'
import { parseCloudConfig } from './cloud-config'
import type { CloudConfig } from './cloud-config'
import { chooseSshPort, IpAllocator } from './ip-allocator'
import { buildUserDatabase } from './users'
import type { UserDatabase } from './users'

const execFileAsync = promisify(execFile)

// Fake VMs: one real OpenSSH daemon per server, on its own loopback address, in its own mount,
// pid and UTS namespaces with its own /home, /root, /tmp and user database. See docs/local-cloud.md.

/** Not under /tmp: each VM gets its own /tmp, which would hide a state directory below it. */
const STATE_ROOT = '/var/tmp/cairn-local-cloud'

export interface VmSpec {
  serverId: number
  name: string
  userData: string | null
  /** Public keys of the create request's `ssh_keys`: root's authorized_keys. */
  rootKeys: string[]
}

export interface VmDetails {
  homeDir: string
  rootDir: string
  cloudInit: { users: string[]; runcmd: unknown[]; skipped: string[]; errors: string[] }
}

/** What the fake Hetzner API needs from whatever runs its servers. */
export interface VmBackend {
  readonly sshPort: number
  allocateIp(): Promise<string>
  releaseIp(ip: string): Promise<void>
  /** Prepares the disk (first call only) and starts sshd; resolves once it accepts connections. */
  start(spec: VmSpec, ip: string): Promise<void>
  /** Marks cloud-init as finished inside the VM (boot-finished). */
  markBooted(serverId: number): Promise<void>
  /** Power off: every process of the VM ends; the disk stays. */
  stop(serverId: number): Promise<void>
  /** Stops and removes the disk. */
  destroy(serverId: number): Promise<void>
  details(serverId: number): VmDetails | undefined
  close(): Promise<void>
}

interface Vm {
  spec: VmSpec
  ip: string
  dir: string
  config: CloudConfig
  users: UserDatabase
  process?: TrackedProcess
  /** The disk layout, done once; a failure here fails every boot. */
  prepared: Promise<void>
  /** Serialises start/stop/destroy of one VM. */
  queue: Promise<unknown>
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes state directories of local clouds whose process is gone (crashed runs). */
async function sweepStale(): Promise<void> {
  const entries = await readdir(STATE_ROOT).catch(() => [] as string[])
  for (const entry of entries) {
    const dir = path.join(STATE_ROOT, entry)
    const owner = Number(
      (await readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => '')).trim(),
    )
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue
    // A dead owner's VMs died with it (their init reads the owner's pipe), so nothing is mounted.
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
}

function tryConnect(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.setTimeout(500, () => done(false))
  })
}

function sshdConfig(vmDir: string, ip: string, port: number, hostKeys: string[]): string {
  return [
    `# sshd of a fake VM of the Cairn local cloud`,
    `ListenAddress ${ip}:${port}`,
    ...hostKeys.map((k) => `HostKey ${k}`),
    `PidFile ${vmDir}/ssh/sshd.pid`,
    // Relative to the user's home, which is the VM's own /home or /root inside its namespace.
    `AuthorizedKeysFile .ssh/authorized_keys`,
    // PAM would consult the machine's PAM stack and account state; the VM has neither.
    `UsePAM no`,
    // Homes are created by the local cloud (root) and chowned; strict checks add nothing here.
    `StrictModes no`,
    `PubkeyAuthentication yes`,
    `PasswordAuthentication no`,
    `KbdInteractiveAuthentication no`,
    `PermitRootLogin prohibit-password`,
    `PrintMotd no`,
    `UseDNS no`,
    `AllowTcpForwarding yes`,
    `X11Forwarding no`,
    `AcceptEnv LANG LC_*`,
    `MaxSessions 64`,
    `MaxStartups 100:30:200`,
    `Subsystem sftp /usr/lib/openssh/sftp-server`,
    '',
  ].join('\n')
}

/** Maps a path inside the VM to the host path that holds it, if the fake VM stores that tree. */
function hostPathFor(vmDir: string, vmPath: string): string | undefined {
  const normal = path.posix.normalize(vmPath)
  for (const [prefix, dir] of [
    ['/home/', 'fs/home'],
    ['/root/', 'fs/root'],
    ['/tmp/', 'fs/tmp'],
  ] as const) {
    if (normal.startsWith(prefix) && normal.length > prefix.length) {
      return path.join(vmDir, dir, normal.slice(prefix.length))
    }
  }
  return undefined
}

function hostnameOf(vm: Vm): string {
  return (vm.config.hostname ?? vm.spec.name).slice(0, 63)
}

export interface VmManagerOptions {
  /** SSH port of every VM; default 22 when free on 127.0.0.x, else 2222 or a free port. */
  sshPort?: number
}

export class VmManager implements VmBackend {
  private readonly vms = new Map<number, Vm>()
  private readonly ips: IpAllocator
  private closed = false

  private constructor(
    readonly sshPort: number,
    private readonly root: string,
    private readonly processes: ProcessGroup,
  ) {
    this.ips = new IpAllocator(sshPort)
  }

  static async create(
    options: VmManagerOptions = {},
    processes = new ProcessGroup(),
  ): Promise<VmManager> {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'fake VMs need root (namespaces, bind mounts, sshd); start with { vms: false } otherwise',
      )
    }
    await mkdir(STATE_ROOT, { recursive: true, mode: 0o700 })
    await chmod(STATE_ROOT, 0o700)
    await sweepStale()
    const root = path.join(STATE_ROOT, `${process.pid}-${Date.now().toString(36)}`)
    await mkdir(root, { recursive: true, mode: 0o700 })
    await writeFile(path.join(root, 'owner.pid'), String(process.pid))
    processes.trackDir(root)
    // sshd wants its privilege separation directory; it is empty and shared by every sshd.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
    const port = await chooseSshPort(options.sshPort)
    return new VmManager(port, root, processes)
  }

  allocateIp(): Promise<string> {
    return this.ips.allocate()
  }

  releaseIp(ip: string): Promise<void> {
    return this.ips.release(ip)
  }

  details(serverId: number): VmDetails | undefined {
    const vm = this.vms.get(serverId)
    if (!vm) return undefined
    return {
      homeDir: path.join(vm.dir, 'fs/home'),
      rootDir: path.join(vm.dir, 'fs/root'),
      cloudInit: {
        users: vm.config.users.map((u) => u.name),
        runcmd: vm.config.runcmd,
        skipped: vm.config.skipped,
        errors: vm.config.errors,
      },
    }
  }

  private enqueue<T>(vm: Vm, job: () => Promise<T>): Promise<T> {
    const run = vm.queue.then(job, job)
    vm.queue = run.catch(() => {})
    return run
  }

  start(spec: VmSpec, ip: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the local cloud is stopping'))
    let vm = this.vms.get(spec.serverId)
    if (!vm) {
      const created: Vm = {
        spec,
        ip,
        dir: path.join(this.root, String(spec.serverId)),
        config: parseCloudConfig(spec.userData),
        users: buildUserDatabase('', '', []),
        prepared: Promise.resolve(),
        queue: Promise.resolve(),
      }
      this.vms.set(spec.serverId, created)
      created.prepared = this.prepare(created)
      created.queue = created.prepared.catch(() => {})
      vm = created
    }
    const v = vm
    return this.enqueue(v, () => this.boot(v))
  }

  /** Lays out the VM's disk once, applying the cloud-init parts Cairn relies on. */
  private async prepare(vm: Vm): Promise<void> {
    const { spec, ip, config } = vm
    const d = vm.dir
    for (const sub of [
      'fs/home',
      'fs/root',
      'fs/tmp',
      'etc',
      'ssh',
      'overlay/var-lib/upper',
      'overlay/var-lib/work',
      'overlay/usr-bin/upper',
      'overlay/usr-bin/work',
    ]) {
      await mkdir(path.join(d, sub), { recursive: true })
    }
    await chmod(path.join(d, 'fs/root'), 0o700)
    await chmod(path.join(d, 'fs/tmp'), 0o1777)

    const [hostPasswd, hostGroup] = await Promise.all([
      readFile('/etc/passwd', 'utf8'),
      readFile('/etc/group', 'utf8'),
    ])
    vm.users = buildUserDatabase(hostPasswd, hostGroup, config.users)
    await writeFile(path.join(d, 'etc/passwd'), vm.users.passwd, { mode: 0o644 })
    await writeFile(path.join(d, 'etc/group'), vm.users.group, { mode: 0o644 })
    await writeFile(path.join(d, 'etc/shadow'), vm.users.shadow, { mode: 0o640 })
    await writeFile(path.join(d, 'etc/hostname'), hostnameOf(vm) + '\n')

    // Users: homes under the VM's /home (or /root), authorized_keys, ownership.
    for (const user of config.users) {
      const account = vm.users.accounts.find((a) => a.name === user.name)
      const home =
        user.name === 'root' ? path.join(d, 'fs/root') : hostPathFor(d, user.homedir + '/')
      if (!account || !home) {
        config.errors.push(
          `users: home ${user.homedir} of ${user.name} is outside /home and /root; not created`,
        )
        continue
      }
      await mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 })
      if (user.sshAuthorizedKeys.length > 0) {
        await appendFile(
          path.join(home, '.ssh/authorized_keys'),
          user.sshAuthorizedKeys.join('\n') + '\n',
          { mode: 0o600 },
        )
      }
      if (user.name !== 'root') {
        await execFileAsync('chown', ['-R', `${account.uid}:${account.gid}`, home])
        await chmod(home, 0o750)
      }
    }
    // The create request's SSH keys are root's, as on a Hetzner image.
    if (spec.rootKeys.length > 0) {
      const rootSsh = path.join(d, 'fs/root/.ssh')
      await mkdir(rootSsh, { recursive: true, mode: 0o700 })
      const prefix = config.disableRoot
        ? 'no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo \'Please login as a non-root user.\';sleep 5;exit 142" '
        : ''
      await appendFile(
        path.join(rootSsh, 'authorized_keys'),
        spec.rootKeys.map((k) => prefix + k.trim()).join('\n') + '\n',
        { mode: 0o600 },
      )
    }

    for (const file of config.writeFiles) {
      const target = hostPathFor(d, file.path)
      if (!target) {
        config.skipped.push(`write_files:${file.path}`)
        continue
      }
      await mkdir(path.dirname(target), { recursive: true })
      if (file.append) await appendFile(target, file.content)
      else await writeFile(target, file.content)
      await chmod(target, file.permissions)
      const [owner = 'root', group = owner] = file.owner.split(':')
      const uid = vm.users.accounts.find((a) => a.name === owner)?.uid
      const gid = vm.users.groups.get(group) ?? uid
      if (uid === undefined || gid === undefined)
        config.errors.push(`write_files: unknown owner ${file.owner} of ${file.path}`)
      else await chown(target, uid, gid)
    }

    // Host keys: the ones cloud-init was given (Cairn pins them), else a fresh ed25519 one.
    const hostKeys: string[] = []
    for (const key of config.hostKeys) {
      const file = path.join(d, `ssh/ssh_host_${key.type}_key`)
      await writeFile(file, key.privateKey.trim() + '\n', { mode: 0o600 })
      if (key.publicKey)
        await writeFile(file + '.pub', key.publicKey.trim() + '\n', { mode: 0o644 })
      hostKeys.push(file)
    }
    if (hostKeys.length === 0) {
      const file = path.join(d, 'ssh/ssh_host_ed25519_key')
      await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file])
      hostKeys.push(file)
    }
    await writeFile(path.join(d, 'ssh/sshd_config'), sshdConfig(d, ip, this.sshPort, hostKeys))
    await writeFile(path.join(d, 'boot.sh'), bootScript)
    await writeFile(path.join(d, 'overlay/usr-bin/upper/cloud-init'), cloudInitShim, {
      mode: 0o755,
    })
    await writeFile(
      path.join(d, 'cloud-init.json'),
      JSON.stringify(
        {
          users: config.users.map((u) => ({ ...u, sshAuthorizedKeys: u.sshAuthorizedKeys.length })),
          runcmd: config.runcmd,
          skipped: config.skipped,
          errors: config.errors,
        },
        null,
        2,
      ),
    )
  }

  private async boot(vm: Vm): Promise<void> {
    await vm.prepared
    if (vm.process && !vm.process.hasExited()) return
    // A new boot: cloud-init has not finished yet (the marker lives in the overlay's upper layer,
    // which is safe to change while no namespace has it mounted).
    await rm(path.join(vm.dir, 'overlay/var-lib/upper/cloud/instance/boot-finished'), {
      force: true,
    })
    const hostname = hostnameOf(vm)
    const proc = this.processes.spawn(
      'unshare',
      [
        '--mount',
        '--uts',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        '--propagation',
        'private',
        'bash',
        path.join(vm.dir, 'boot.sh'),
      ],
      {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', VM_DIR: vm.dir, VM_HOSTNAME: hostname },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    )
    let stderr = ''
    proc.child.stderr?.setEncoding('utf8')
    proc.child.stderr?.on('data', (s: string) => (stderr = (stderr + s).slice(-4000)))
    proc.child.stdout?.setEncoding('utf8')
    proc.child.stdin?.on('error', () => {})
    vm.process = proc
    const deadline = Date.now() + 15_000
    while (!(await tryConnect(vm.ip, this.sshPort))) {
      if (proc.hasExited() || Date.now() > deadline) {
        await proc.stop()
        const log = await readFile(path.join(vm.dir, 'ssh/sshd.log'), 'utf8').catch(() => '')
        throw new Error(
          `fake VM ${vm.spec.name} did not start: ${(stderr + log).trim().slice(-1500)}`,
        )
      }
      await new Promise((r) => setTimeout(r, 15))
    }
  }

  async markBooted(serverId: number): Promise<void> {
    const vm = this.vms.get(serverId)
    const proc = vm?.process
    if (!vm || !proc || proc.hasExited()) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake VM did not confirm boot')), 5000)
      const onData = (s: string) => {
        if (s.includes('booted')) {
          clearTimeout(timer)
          proc.child.stdout?.off('data', onData)
          resolve()
        }
      }
      proc.child.stdout?.on('data', onData)
      void proc.exited.then(() => {
        clearTimeout(timer)
        resolve()
      })
      proc.child.stdin?.write('booted\n')
    })
  }

  stop(serverId: number): Promise<void> {
    const vm = this.vms.get(serverId)
    if (!vm) return Promise.resolve()
    return this.enqueue(vm, () => this.halt(vm))
  }

  private async halt(vm: Vm): Promise<void> {
    const proc = vm.process
    if (!proc || proc.hasExited()) return
    // Closing the control channel makes the VM's init exit; the kernel then ends the namespace.
    proc.child.stdin?.end()
    const timeout = new Promise((r) => setTimeout(r, 1500))
    await Promise.race([proc.exited, timeout])
    await proc.stop(1000)
  }

  destroy(serverId: number): Promise<void> {
    const vm = this.vms.get(serverId)
    if (!vm) return Promise.resolve()
    return this.enqueue(vm, async () => {
      await this.halt(vm)
      this.vms.delete(serverId)
      await rm(vm.dir, { recursive: true, force: true })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.vms.keys()].map((id) => this.destroy(id).catch(() => {})))
    await this.ips.releaseAll()
    await rm(this.root, { recursive: true, force: true })
    this.processes.untrackDir(this.root)
  }
}

/** Stands in for VMs when only the API is wanted: documentation addresses, nothing started. */
export class NoVms implements VmBackend {
  readonly sshPort = 22
  private next = 1
  private readonly free: string[] = []
  allocateIp(): Promise<string> {
    const ip = this.free.pop() ?? `203.0.113.${this.next++}`
    if (this.next > 254) this.next = 1
    return Promise.resolve(ip)
  }
  releaseIp(ip: string): Promise<void> {
    this.free.push(ip)
    return Promise.resolve()
  }
  start(): Promise<void> {
    return Promise.resolve()
  }
  markBooted(): Promise<void> {
    return Promise.resolve()
  }
  stop(): Promise<void> {
    return Promise.resolve()
  }
  destroy(): Promise<void> {
    return Promise.resolve()
  }
  details(): VmDetails | undefined {
    return undefined
  }
  close(): Promise<void> {
    return Promise.resolve()
  }
}
