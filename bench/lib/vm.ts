/**
 * A workspace VM on the local cloud, created the way Cairn creates them: through the (fake)
 * Hetzner API with cloud-init user data that adds the `dev` user with our SSH key and injects a
 * host key we generated, so the host key is pinned and never trusted on first use.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { LocalHetzner } from '../../cloud/index'

const run = promisify(execFile)

export interface BenchVm {
  serverId: number
  ip: string
  port: number
  /** The VM's /home on this machine. */
  homeDir: string
  /** /home/dev on this machine. */
  devHome: string
  uid: number
  gid: number
  /** Files the child processes read: the user's private key and the pinned host public key. */
  userKeyFile: string
  hostPublicKey: string
  destroy(): Promise<void>
}

async function keypair(dir: string, name: string): Promise<[string, string]> {
  const file = path.join(dir, name)
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    `cairn-bench-${name}`,
    '-f',
    file,
  ])
  return [await readFile(file, 'utf8'), (await readFile(file + '.pub', 'utf8')).trim()]
}

/** `keysDir` receives the generated keys (user key reused by every VM of the run). */
export async function createVm(
  hetzner: LocalHetzner,
  name: string,
  keysDir: string,
): Promise<BenchVm> {
  const [hostPrivate, hostPublic] = await keypair(keysDir, `${name}-host`)
  const userKeyFile = path.join(keysDir, 'user')
  let userPublic: string
  try {
    userPublic = (await readFile(userKeyFile + '.pub', 'utf8')).trim()
  } catch {
    userPublic = (await keypair(keysDir, 'user'))[1]
  }
  const api = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(hetzner.url + p, {
      method,
      headers: { Authorization: `Bearer ${hetzner.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json()) as T
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const indent = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n')
  const userData = `#cloud-config
users:
  - name: dev
    shell: /bin/bash
    ssh_authorized_keys:
      - ${userPublic}
ssh_pwauth: false
ssh_keys:
  ed25519_private: |
${indent(hostPrivate)}
  ed25519_public: ${hostPublic}
`
  const { server } = await api<{ server: { id: number } }>('POST', '/servers', {
    name,
    server_type: 'cx22',
    image: 'ubuntu-24.04',
    location: 'fsn1',
    user_data: userData,
    labels: { 'managed-by': 'cairn', purpose: 'bench' },
  })
  let ip: string
  const deadline = Date.now() + 60_000
  for (;;) {
    const { server: s } = await api<{
      server: { status: string; public_net: { ipv4: { ip: string } } }
    }>('GET', `/servers/${server.id}`)
    if (s.status === 'running') {
      ip = s.public_net.ipv4.ip
      break
    }
    if (Date.now() > deadline) throw new Error(`server ${name} stayed ${s.status}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const vm = (await hetzner.control.vms()).find((v) => v.serverId === server.id)
  if (!vm?.homeDir) throw new Error('the fake VM has no home directory')
  const devHome = path.join(vm.homeDir, 'dev')
  const { stdout } = await run('stat', ['-c', '%u %g', devHome])
  const [uid, gid] = stdout.trim().split(' ').map(Number) as [number, number]
  return {
    serverId: server.id,
    ip,
    port: vm.sshPort,
    homeDir: vm.homeDir,
    devHome,
    uid,
    gid,
    userKeyFile,
    hostPublicKey: hostPublic,
    destroy: async () => {
      await api('DELETE', `/servers/${server.id}`).catch(() => {})
    },
  }
}

/** Copies the dataset into the VM (mtimes and modes kept) and gives it to the VM's user. */
export async function copyInto(vm: BenchVm, datasetRoot: string, dirName: string): Promise<string> {
  const target = path.join(vm.devHome, dirName)
  await run('cp', ['-a', datasetRoot, target], { maxBuffer: 1 << 20 })
  await run('chown', ['-R', '-h', `${vm.uid}:${vm.gid}`, target])
  return target
}
