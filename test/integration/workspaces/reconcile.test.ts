import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import { readFile } from 'node:fs/promises'
import type {
  WorkspaceList,
  WorkspaceRecord,
  WorkspaceView,
} from '../../../src/shared/domain/workspace'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { cairnServerLabels } from '../../../src/main/core/provision/labels'
import { secretAccounts } from '../../../src/main/core/secrets/secret-store'
import { reconcileState } from '../../../src/main/core/workspaces/reconcile-state'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

/**
 * Reconcile against the local cloud: orphan servers with their cost, deleting one, a workspace
 * whose server vanished, and a reconcile that can reach nothing.
 */
describe('workspaces.reconcile with Hetzner', () => {
  let h: WorkspaceHarness
  let client: HetznerClient
  beforeAll(async () => {
    h = await startWorkspaceHarness()
    client = new HetznerClient({ baseUrl: h.project.url, token: h.project.token })
  })
  afterAll(async () => {
    await h?.close({ remove: true })
  })

  const createServer = async (name: string, workspaceId: string) => {
    const created = await client.servers.create({
      name,
      serverType: 'cx22',
      image: 'ubuntu-24.04',
      location: 'fsn1',
      labels: cairnServerLabels(workspaceId),
    })
    await client.actions.waitFor(created.actions, { pollIntervalMs: 100 })
    return created.server
  }

  it('reconciles at start-up, in the background', async () => {
    await reconcileState(h.core.workspaces).running
    const list = await h.ok<WorkspaceList>('workspaces.list')
    expect(list.reconciledAt).not.toBeNull()
  })

  it('shows a managed-by=cairn server no workspace knows as an orphan with its cost, and deletes it only with its name', async () => {
    const server = await createServer('orphan-one', 'ws-orphan0000000001')
    const unlabelled = await client.servers.create({
      name: 'not-cairns',
      serverType: 'cx22',
      image: 'ubuntu-24.04',
      location: 'fsn1',
    })
    const list = await h.ok<WorkspaceList>('workspaces.reconcile')
    expect(list.reconcileProblem).toBeNull()
    expect(list.orphans.map((o) => o.serverId)).toEqual([server.id])
    const orphan = list.orphans[0]!
    const price = (await client.listServerTypes())
      .find((t) => t.name === 'cx22')!
      .prices.find((p) => p.location === 'fsn1')!
    expect(orphan).toMatchObject({
      name: 'orphan-one',
      workspaceId: 'ws-orphan0000000001',
      location: 'fsn1',
      serverType: 'cx22',
      hourlyEur: Number(price.hourlyGross),
      monthlyEur: Number(price.monthlyGross),
    })
    // The first started hour (cost.ts keeps four decimals).
    expect(orphan.runningEur).toBeCloseTo(Number(price.hourlyGross), 3)
    expect(list.totals.hourlyEur).toBeCloseTo(Number(price.hourlyGross), 6)
    const reconciled = h.events.filter((e) => e.event === 'workspaces.reconciled').at(-1)
    expect((reconciled?.payload as WorkspaceList).orphans).toHaveLength(1)

    const wrong = await h.call('workspaces.deleteOrphan', {
      serverId: server.id,
      confirmName: 'orphan',
    })
    expect(wrong.ok).toBe(false)
    if (!wrong.ok) expect(wrong.error.code).toBe('invalid_input')
    expect(await client.servers.find(server.id)).not.toBeNull()
    // A server without Cairn's label is never Cairn's to delete.
    const foreign = await h.call('workspaces.deleteOrphan', {
      serverId: unlabelled.server.id,
      confirmName: 'not-cairns',
    })
    expect(foreign.ok).toBe(false)
    if (!foreign.ok) expect(foreign.error.code).toBe('forbidden')

    const job = await h.ok<Job>('workspaces.deleteOrphan', {
      serverId: server.id,
      confirmName: 'orphan-one',
    })
    expect(job).toMatchObject({ kind: 'delete', workspaceId: null })
    expect((await h.finished(job.id, 30_000)).state).toBe('succeeded')
    expect(await client.servers.find(server.id)).toBeNull()
    expect((await h.ok<WorkspaceList>('workspaces.list')).orphans).toEqual([])
    expect((await h.ok<WorkspaceList>('workspaces.reconcile')).orphans).toEqual([])
    await client.servers.delete(unlabelled.server.id)
  })

  it('marks a running workspace whose server vanished as missing; one mid-operation is left alone', async () => {
    const addRunning = async (name: string, pending: WorkspaceRecord['pending']) => {
      const id = newWorkspaceId()
      const server = await createServer(`${name}-srv`, id)
      await h.core.workspaces.registry.add({
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
        serverType: 'cx22',
        image: 'ubuntu-24.04',
        server: {
          id: server.id,
          name: server.name,
          location: 'fsn1',
          serverType: 'cx22',
          image: 'ubuntu-24.04',
          createdAt: server.created,
          priceHourly: '0.0071',
          priceMonthly: '4.5100',
        },
        ssh: null,
        lastBackup: null,
        secretNames: [],
        problem: null,
        pending,
      })
      return { id, server }
    }
    const plain = await addRunning('vanishing', null)
    const busy = await addRunning('mid-stop', {
      kind: 'stop',
      jobId: 'job-1',
      startedAt: new Date().toISOString(),
      step: 'verified',
      serverId: null,
      createToken: null,
      restorePointId: null,
    })
    let list = await h.ok<WorkspaceList>('workspaces.reconcile')
    expect(list.orphans).toEqual([])
    expect((await h.workspace(plain.id)).state).toBe('running')
    expect((await h.workspace(plain.id)).cost?.hourlyEur).toBe(0.0071)

    for (const s of [plain.server, busy.server]) {
      await client.actions.waitFor([(await client.servers.delete(s.id))!], { pollIntervalMs: 100 })
    }
    list = await h.ok<WorkspaceList>('workspaces.reconcile')
    const missing = list.workspaces.find((w) => w.id === plain.id)!
    expect(missing).toMatchObject({ state: 'missing', server: null, ssh: null, cost: null })
    expect(missing.problem?.code).toBe('server_missing')
    expect(missing.problem?.message).toMatch(/start it to get a new server/)
    expect(missing).toMatchObject({ location: 'fsn1', serverType: 'cx22' })
    const changed = h.events.filter(
      (e) => e.event === 'workspaces.changed' && (e.payload as { id: string }).id === plain.id,
    )
    expect(changed.length).toBeGreaterThan(0)
    // The stop under way owns its record: reconcile does not judge it.
    expect((await h.workspace(busy.id)).state).toBe('running')
  })

  it('adopts an orphan whose dev user trusts this installation, pinning the key it presents; refuses one that does not', async () => {
    const installation = await h.core.workspaces.installationKey.ensure()
    const hostKey = generateHostKey()
    const userData = (authorized: string) => `#cloud-config
users:
  - name: dev
    shell: /bin/bash
    ssh_authorized_keys:
      - ${authorized}
ssh_keys:
  ed25519_private: |
${hostKey.privateKey
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
  ed25519_public: ${hostKey.publicKey}
`
    const make = async (name: string, authorized: string) => {
      const created = await client.servers.create({
        name,
        serverType: 'cx22',
        image: 'ubuntu-24.04',
        location: 'fsn1',
        labels: cairnServerLabels(newWorkspaceId()),
        userData: userData(authorized),
      })
      await client.actions.waitFor(created.actions, { pollIntervalMs: 100 })
      return created.server
    }
    const mine = await make('mine-left-behind', installation.publicKey)
    const foreign = await make('from-elsewhere', generateHostKey().publicKey)
    const list = await h.ok<WorkspaceList>('workspaces.reconcile')
    expect(list.orphans.map((o) => o.name).sort()).toEqual(['from-elsewhere', 'mine-left-behind'])

    // The user sees the key the server presents and confirms it (no trust on first use).
    const probe = await h.ok<{ hostKey: string; fingerprint: string }>(
      'workspaces.probeOrphanHostKey',
      { serverId: mine.id },
    )
    expect(probe.hostKey).toBe(hostKey.publicKey.split(' ').slice(0, 2).join(' '))
    expect(probe.fingerprint).toMatch(/^SHA256:/)
    const otherKey = generateHostKey().publicKey
    const mismatch = await h.call('workspaces.adoptOrphan', {
      serverId: mine.id,
      name: 'found-again',
      hostKey: otherKey,
    })
    expect(mismatch).toMatchObject({ ok: false, error: { code: 'host_key_mismatch' } })
    expect(await h.core.workspaces.registry.findByName('found-again')).toBeNull()

    const refused = await h.call('workspaces.adoptOrphan', {
      serverId: foreign.id,
      name: 'nope',
      hostKey: probe.hostKey,
    })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error.code).toBe('unauthorized')
      expect(refused.error.message).toMatch(/Adopt it there, or delete it here/)
    }

    const view = await h.ok<WorkspaceView>('workspaces.adoptOrphan', {
      serverId: mine.id,
      name: 'found-again',
      hostKey: probe.hostKey,
    })
    expect(view).toMatchObject({
      id: mine.labels['workspace-id'],
      provider: 'hetzner',
      state: 'running',
      server: { id: mine.id, name: 'mine-left-behind', serverType: 'cx22', location: 'fsn1' },
      ssh: { user: 'dev', keyId: installation.id, port: h.project.sshPort },
    })
    expect(view.ssh!.hostKey).toBe(hostKey.publicKey.split(' ').slice(0, 2).join(' '))
    expect(view.cost?.runningEur).toBeGreaterThan(0)
    // A running Hetzner workspace is watched for idleness like one Cairn made here.
    expect(h.core.idle.isWatching(view.id)).toBe(true)
    const after = await h.ok<WorkspaceList>('workspaces.list')
    expect(after.orphans.map((o) => o.name)).toEqual(['from-elsewhere'])
    expect(await readFile(h.sshConfigPath, 'utf8')).toContain('Host cairn-found-again')
    // Adopted, it is the workspace's server: no longer an orphan to reconcile either.
    expect((await h.ok<WorkspaceList>('workspaces.reconcile')).orphans.map((o) => o.name)).toEqual([
      'from-elsewhere',
    ])
    await h.core.idle.unwatch(view.id)
    for (const s of [mine, foreign]) await client.servers.delete(s.id)
    await h.core.workspaces.registry.remove(view.id)
  })

  it('without a token or storage it says so in reconcileProblem and does not throw', async () => {
    await h.ok('hetzner.clearToken')
    await h.ok('storage.clear')
    const list = await h.ok<WorkspaceList>('workspaces.reconcile')
    expect(list.reconcileProblem).toMatch(/Hetzner: no API token yet/)
    expect(list.reconcileProblem).toMatch(/Storage: not set up yet/)
    expect(list.orphans).toEqual([])
    expect(list.discovered).toEqual([])
    // A request while one runs is answered by a run that starts after it: a token saved in between
    // counts.
    const first = h.call('workspaces.reconcile')
    await h.ok('hetzner.setToken', { token: h.project.token })
    const second = await h.ok<WorkspaceList>('workspaces.reconcile')
    expect((await first).ok).toBe(true)
    expect(second.reconcileProblem).not.toMatch(/Hetzner/)
    expect(second.reconcileProblem).toMatch(/Storage: not set up yet/)
    // A token Hetzner refuses (revoked since it was saved) is said the same way.
    await h.core.workspaces.s.secrets.set(secretAccounts.hetznerToken, 'revoked-token')
    const refused = await h.ok<WorkspaceList>('workspaces.reconcile')
    expect(refused.reconcileProblem).toMatch(/^Hetzner: .*token/i)
  })
})
