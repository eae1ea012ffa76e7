import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { hetznerControl, newHetznerProject } from './cloud-info'
import {
  connectSsh,
  type SshConnectOptions,
  type SshConnection,
} from '../../src/main/core/ssh/connection'

const run = promisify(execFile)

/** A fake VM of the local cloud with a `dev` user, as Cairn creates them (host key pinned). */
export interface TestVm {
  ip: string
  port: number
  userKey: string
  hostPublic: string
  /** Host directory that is the VM's /home (the test sees the VM's files there). */
  homeDir: string
  /** The VM's sshd log. */
  sshdLog(): Promise<string>
  options(user?: 'dev' | 'root'): SshConnectOptions
  connect(user?: 'dev' | 'root'): Promise<SshConnection>
  /** uid/gid of dev on the VM (same numbers on this machine: no user namespace). */
  dev: { uid: number; gid: number }
  destroy(): Promise<void>
}

async function keypair(dir: string, name: string): Promise<[string, string]> {
  const file = path.join(dir, name)
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file])
  return [await readFile(file, 'utf8'), (await readFile(file + '.pub', 'utf8')).trim()]
}

export async function createTestVm(name: string): Promise<TestVm> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-remote-test-'))
  const [hostPrivate, hostPublic] = await keypair(dir, 'host')
  const [userPrivate, userPublic] = await keypair(dir, 'user')
  const project = await newHetznerProject()
  const api = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(project.url + p, {
      method,
      headers: { Authorization: `Bearer ${project.token}`, 'Content-Type': 'application/json' },
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
  const { ssh_key } = await api<{ ssh_key: { id: number } }>('POST', '/ssh_keys', {
    name: 'root-key',
    public_key: userPublic,
  })
  const { server } = await api<{ server: { id: number } }>('POST', '/servers', {
    name,
    server_type: 'cx22',
    image: 'ubuntu-24.04',
    location: 'fsn1',
    ssh_keys: [ssh_key.id],
    user_data: userData,
  })
  let ip = ''
  const deadline = Date.now() + 30_000
  for (;;) {
    const { server: s } = await api<{
      server: { status: string; public_net: { ipv4: { ip: string } } }
    }>('GET', `/servers/${server.id}`)
    if (s.status === 'running') {
      ip = s.public_net.ipv4.ip
      break
    }
    if (Date.now() > deadline) throw new Error(`server stayed ${s.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const vm = (await hetznerControl().vms(project.id)).find((v) => v.serverId === server.id)
  if (!vm?.homeDir) throw new Error('the fake VM has no home directory')
  const homeDir = vm.homeDir
  const { stdout } = await run('stat', ['-c', '%u %g', path.join(homeDir, 'dev')])
  const [uid, gid] = stdout.trim().split(' ').map(Number) as [number, number]
  const options = (user: 'dev' | 'root' = 'dev'): SshConnectOptions => ({
    host: ip,
    port: project.sshPort,
    username: user,
    privateKey: userPrivate,
    hostKey: hostPublic,
    readyTimeoutMs: 10_000,
  })
  return {
    ip,
    port: project.sshPort,
    userKey: userPrivate,
    hostPublic,
    homeDir,
    dev: { uid, gid },
    sshdLog: () => readFile(path.join(homeDir, '../../ssh/sshd.log'), 'utf8').catch(() => ''),
    options,
    connect: (user) => connectSsh(options(user)),
    destroy: async () => {
      await api('DELETE', `/servers/${server.id}`).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    },
  }
}
