import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { InstallationSshKey } from '../../../src/main/core/keys/installation-ssh-key'
import { SshKeyStore } from '../../../src/main/core/keys/ssh-key-store'
import { generateHostKey, type GeneratedHostKey } from '../../../src/main/core/provision/host-keys'
import { cairnServerLabels } from '../../../src/main/core/provision/labels'
import {
  waitUntilReady,
  type ReadinessProgress,
  type ReadyServer,
} from '../../../src/main/core/provision/readiness'
import { swapBytesFor } from '../../../src/main/core/provision/swap'
import { buildUserData } from '../../../src/main/core/provision/user-data'
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytar-secret-store'
import { SshIntegration } from '../../../src/main/core/ssh-config/ssh-integration'
import { connectSsh } from '../../../src/main/core/ssh/connection'
import { hetznerControl, newHetznerProject } from '../../support/cloud-info'

const run = promisify(execFile)

describe('provisioning a workspace server on the local cloud', () => {
  let project: Awaited<ReturnType<typeof newHetznerProject>>
  let client: HetznerClient
  let dir: string
  let keyStore: SshKeyStore
  let installation: InstallationSshKey
  let privateKey: string
  let sshKeyId: number
  const servers: number[] = []

  /** Creates a server the way a workspace create will. */
  async function createServer(name: string, hostKey: GeneratedHostKey) {
    const key = await installation.ensure()
    const types = await client.listServerTypes()
    const type = types.find((t) => t.name === 'cx22')!
    const image = await client.images.resolve('ubuntu-24.04', type.architecture)
    const userData = buildUserData({
      workspaceId: `ws-${name}`,
      authorizedKeys: [key.publicKey],
      hostKey,
      swapBytes: swapBytesFor(type.memoryGb, type.diskGb),
    })
    const created = await client.servers.create({
      name,
      serverType: type.name,
      image: image.id,
      location: 'fsn1',
      userData,
      sshKeys: [sshKeyId],
      labels: cairnServerLabels(`ws-${name}`),
    })
    servers.push(created.server.id)
    return created
  }

  beforeAll(async () => {
    project = await newHetznerProject()
    client = new HetznerClient({
      baseUrl: project.url,
      token: project.token,
      retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200, maxTotalMs: 10_000 },
    })
    dir = await mkdtemp(join(tmpdir(), 'cairn-provision-'))
    keyStore = new SshKeyStore(
      join(dir, 'data'),
      new KeytarSecretStore({ service: `cairn-test-provision-${process.pid}` }),
    )
    await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 })
    installation = new InstallationSshKey(join(dir, 'data'), keyStore)
    const key = await installation.ensure()
    privateKey = await installation.privateKey()
    sshKeyId = (await client.sshKeys.ensure('cairn-installation', key.publicKey)).id
  })

  afterAll(async () => {
    await hetznerControl().reset(project.id)
    for (const id of servers) await client.servers.delete(id).catch(() => {})
    const key = await installation?.current()
    if (key) await keyStore.delete(key.id)
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  let ready: ReadyServer
  let hostKey: GeneratedHostKey

  it('becomes ready phase by phase, and lets dev in with the pinned host key', async () => {
    hostKey = generateHostKey()
    const created = await createServer(`prov-${process.pid}`, hostKey)
    const progress: ReadinessProgress[] = []
    ready = await waitUntilReady({
      hetzner: client,
      serverId: created.server.id,
      actions: created.actions,
      port: project.sshPort,
      privateKey,
      hostKey: hostKey.publicKey,
      pollIntervalMs: 100,
      onProgress: (p) => progress.push(p),
    })
    expect(ready).toMatchObject({
      server: { id: created.server.id, status: 'running' },
      port: project.sshPort,
      cloudInit: { status: 'done', detail: null },
    })
    const done = progress.filter((p) => p.state === 'done').map((p) => p.phase)
    expect(done).toEqual(['server', 'ssh', 'cloud-init'])
    expect(progress[0]).toMatchObject({ phase: 'server', state: 'waiting' })

    const connection = await connectSsh({
      host: ready.host,
      port: ready.port,
      username: 'dev',
      privateKey,
      hostKey: hostKey.publicKey,
    })
    try {
      const result = await connection.run('id -un; id -u; echo "$SHELL"; hostname')
      expect(result.stdout.toString().trim().split('\n')).toEqual([
        'dev',
        '1000',
        '/bin/bash',
        created.server.name,
      ])
    } finally {
      await connection.close()
    }
    const vm = (await hetznerControl().vms(project.id)).find(
      (v) => v.serverId === created.server.id,
    )
    expect(vm?.cloudInit).toMatchObject({ users: ['dev'], errors: [] })
  })

  it('refuses a host key other than the pinned one, before logging in', async () => {
    const wrong = generateHostKey()
    await expect(
      connectSsh({
        host: ready.host,
        port: ready.port,
        username: 'dev',
        privateKey,
        hostKey: wrong.publicKey,
      }),
    ).rejects.toMatchObject({
      code: 'host_key_mismatch',
      details: { expected: wrong.fingerprint, presented: hostKey.fingerprint },
    })
    const started = Date.now()
    await expect(
      waitUntilReady({
        hetzner: client,
        serverId: ready.server.id,
        port: ready.port,
        privateKey,
        hostKey: wrong.publicKey,
        pollIntervalMs: 100,
      }),
    ).rejects.toMatchObject({ code: 'host_key_mismatch', details: { phase: 'ssh' } })
    expect(Date.now() - started).toBeLessThan(5_000) // no waiting for a key that will not change
  })

  it('SSH that never answers times out in the ssh phase, with the last reason', async () => {
    const error = await waitUntilReady({
      hetzner: client,
      serverId: ready.server.id,
      port: 1, // nothing listens there: connection refused, again and again
      privateKey,
      hostKey: hostKey.publicKey,
      pollIntervalMs: 100,
      timeouts: { ssh: 600 },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/\(phase: ssh\): .*connection was refused/),
      details: { phase: 'ssh', serverId: ready.server.id },
    })
  })

  it('`ssh cairn-<name>` works with the real OpenSSH client through the managed block', async () => {
    const home = join(dir, 'home')
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 })
    const config = join(home, '.ssh', 'config')
    // The user's own settings, which would break the login if the block came after them.
    await writeFile(
      config,
      'Host *\n  User root\n  Port 1\n  IdentityFile /nonexistent\n  StrictHostKeyChecking no\n',
      { mode: 0o600 },
    )
    const integration = new SshIntegration({
      sshConfig: config,
      cairnSshDir: join(dir, 'Cairn data 100%', 'ssh'),
    })
    const alias = 'cairn-prov'
    const entry = { alias, hostName: ready.host, port: ready.port, hostKey: hostKey.publicKey }
    await integration.sync([entry], privateKey)
    const ssh = (args: string[]) =>
      run('ssh', ['-F', config, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...args], {
        env: { ...process.env, HOME: home },
        timeout: 20_000,
      })
    const { stdout } = await ssh([alias, 'id -un; true'])
    expect(stdout.trim()).toBe('dev')

    // A different pinned key: OpenSSH refuses (StrictHostKeyChecking yes, Cairn's known_hosts).
    await integration.sync([{ ...entry, hostKey: generateHostKey().publicKey }], privateKey)
    const refused = await ssh([alias, 'true']).catch((e: { code: number; stderr: string }) => e)
    expect(refused).toMatchObject({ code: 255 })
    expect((refused as { stderr: string }).stderr).toMatch(/Host key verification failed/)

    await integration.removeAll()
  })

  it('a server stuck initializing times out with an error naming the phase', async () => {
    await hetznerControl().holdInitializing(1, project.id)
    const created = await createServer(`stuck-${process.pid}`, generateHostKey())
    const progress: ReadinessProgress[] = []
    const error = await waitUntilReady({
      hetzner: client,
      serverId: created.server.id,
      actions: created.actions,
      port: project.sshPort,
      privateKey,
      hostKey: generateHostKey().publicKey,
      pollIntervalMs: 100,
      timeouts: { server: 1_000 },
      onProgress: (p) => progress.push(p),
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'remote_error',
      message: expect.stringMatching(
        /^Gave up waiting for Hetzner to report the server running after 1 s \(phase: server\): Hetzner still reports "stuck-\d+" as initializing\./,
      ),
      details: { phase: 'server', serverId: created.server.id, lastStatus: 'initializing' },
    })
    expect(progress.every((p) => p.phase === 'server' && p.state === 'waiting')).toBe(true)
    await hetznerControl().release(created.server.id, project.id)
  })
})
