import { createHash, randomBytes } from 'node:crypto'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { cairnServerLabels } from '../../../src/main/core/provision/labels'
import { waitUntilReady } from '../../../src/main/core/provision/readiness'
import { buildUserData } from '../../../src/main/core/provision/user-data'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { syncSshConfig } from '../../../src/main/core/workspaces/ssh-config-sync'
import { connectSsh, type SshConnection } from '../../../src/main/core/ssh/connection'
import type { WorkspaceHarness } from './workspace-harness'

export interface RunningWorkspace {
  record: WorkspaceRecord
  serverId: number
  /** Files written into the workspace: path under /home/dev -> sha256 (hex). */
  files: Map<string, string>
  /** Runs a command as dev on the VM; resolves with stdout. */
  ssh(command: string): Promise<string>
}

export interface RunningWorkspaceOptions {
  name?: string
  /** Size of the one random file (project/blob.bin); default 256 KiB. */
  blobBytes?: number
  /** Changes to the record before it is registered (paths, idle timeout...). */
  record?: Partial<WorkspaceRecord>
}

/**
 * A workspace that runs, without the create job: a server on the harness's fake-Hetzner project
 * made the way a create makes it (installation key, Cairn's host key, user data, labels), waited
 * for until ready, a few files written into /home/dev over SSH, and a 'running' record in the
 * registry with server and ssh filled in (plus its ssh config entry).
 */
export async function runningWorkspace(
  h: WorkspaceHarness,
  options: RunningWorkspaceOptions = {},
): Promise<RunningWorkspace> {
  const ctx = h.core.workspaces
  const id = newWorkspaceId()
  const name = options.name ?? `ws-${randomBytes(3).toString('hex')}`
  const key = await ctx.installationKey.ensure()
  const privateKey = await ctx.installationKey.privateKey()
  const hetzner = await ctx.hetzner()
  const types = await hetzner.listServerTypes()
  const type = types.find((t) => t.name === 'cx22')!
  const price = type.prices.find((p) => p.location === 'fsn1')!
  const image = await hetzner.images.resolve('ubuntu-24.04', type.architecture)
  const hostKey = generateHostKey()
  const created = await hetzner.servers.create({
    name,
    serverType: type.name,
    image: image.id,
    location: 'fsn1',
    userData: buildUserData({
      workspaceId: id,
      authorizedKeys: [key.publicKey],
      hostKey,
      swapBytes: 0,
    }),
    labels: cairnServerLabels(id),
  })
  const ready = await waitUntilReady({
    hetzner,
    serverId: created.server.id,
    actions: created.actions,
    port: ctx.vmSshPort,
    privateKey,
    hostKey: hostKey.publicKey,
    pollIntervalMs: 100,
  })

  const open = (): Promise<SshConnection> =>
    connectSsh({
      host: ready.host,
      port: ready.port,
      username: 'dev',
      privateKey,
      hostKey: hostKey.publicKey,
    })
  const ssh = async (command: string): Promise<string> => {
    const connection = await open()
    try {
      const result = await connection.run(command)
      if (result.code !== 0) {
        throw new Error(`${command} failed (${result.code}): ${result.stderr.toString()}`)
      }
      return result.stdout.toString('utf8')
    } finally {
      await connection.close()
    }
  }

  const files = new Map<string, string>()
  const blob = randomBytes(options.blobBytes ?? 256 * 1024)
  const contents: Array<[string, Buffer]> = [
    ['project/README.md', Buffer.from(`# ${name}\n\nA workspace for tests.\n`)],
    ['project/src/main.ts', Buffer.from('export const answer = 42\n')],
    ['project/blob.bin', blob],
    ['notes.txt', Buffer.from('remember the milk\n')],
  ]
  const connection = await open()
  try {
    for (const [path, body] of contents) {
      const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.'
      const result = await connection.run(`mkdir -p ~/${dir} && cat > ~/${path}`, { stdin: body })
      if (result.code !== 0) throw new Error(`writing ${path}: ${result.stderr.toString()}`)
      files.set(path, createHash('sha256').update(body).digest('hex'))
    }
  } finally {
    await connection.close()
  }

  const record: WorkspaceRecord = {
    id,
    name,
    provider: 'hetzner',
    state: 'running',
    createdAt: new Date().toISOString(),
    paths: ['/home/dev'],
    excludes: [],
    includes: [],
    includeCredentials: false,
    idleTimeoutMinutes: 30,
    location: 'fsn1',
    serverType: type.name,
    image: 'ubuntu-24.04',
    server: {
      id: ready.server.id,
      name: ready.server.name,
      location: ready.server.location,
      serverType: ready.server.serverType,
      image: 'ubuntu-24.04',
      createdAt: ready.server.created,
      priceHourly: price.hourlyGross,
      priceMonthly: price.monthlyGross,
    },
    ssh: {
      host: ready.host,
      port: ready.port,
      user: 'dev',
      hostKey: hostKey.publicKey,
      hostKeyFingerprint: hostKey.fingerprint,
      keyId: key.id,
    },
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: null,
    ...options.record,
  }
  await ctx.registry.add(record)
  await syncSshConfig(ctx)
  return { record, serverId: ready.server.id, files, ssh }
}
