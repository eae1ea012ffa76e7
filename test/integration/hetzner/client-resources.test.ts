import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { generateEd25519KeyPair } from '../../../src/main/core/ssh/ed25519-key'
import { CREATE_TOKEN_LABEL } from '../../../src/main/core/hetzner/servers'
import { hetznerFingerprint } from '../../../src/main/core/hetzner/ssh-keys'
import { labelSelector } from '../../../src/main/core/hetzner/labels'
import type { HetznerAction } from '../../../src/main/core/hetzner/types'
import { newHetznerProject } from '../../support/cloud-info'
import { clientFor, control, serverName, type Project } from './client-support'

describe('HetznerClient resources against the fake API', () => {
  let project: Project
  beforeAll(async () => {
    project = await newHetznerProject()
  })
  afterEach(async () => {
    await control().reset(project.id)
  })

  it('resolves images per architecture and names a missing one', async () => {
    const client = clientFor(project)
    const x86 = await client.images.resolve('ubuntu-24.04', 'x86')
    const arm = await client.images.resolve('ubuntu-24.04', 'arm')
    expect(x86).toMatchObject({ name: 'ubuntu-24.04', architecture: 'x86' })
    expect(arm).toMatchObject({ name: 'ubuntu-24.04', architecture: 'arm' })
    expect(arm.id).not.toBe(x86.id)
    await expect(client.images.resolve('ubuntu-10.04', 'x86')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('ubuntu-10.04'),
    })
  })

  it('creates with labels, user data and an SSH key, waits for the actions, lists by label across pages, deletes', async () => {
    const client = clientFor(project, { perPage: 2 })
    const image = await client.images.resolve('ubuntu-24.04', 'x86')
    const pair = generateEd25519KeyPair()
    const key = await client.sshKeys.ensure('cairn-test-key', pair.publicKey, {
      'managed-by': 'cairn',
    })
    const names = [serverName('res-a'), serverName('res-b'), serverName('res-c')]
    const labels = { 'managed-by': 'cairn', 'workspace-id': 'ws-res' }
    const created = []
    for (const name of names) {
      created.push(
        await client.servers.create({
          name,
          serverType: 'cx22',
          image: image.id,
          location: 'nbg1',
          userData: '#cloud-config\n{}\n',
          sshKeys: [key.id],
          labels,
          startAfterCreate: false,
        }),
      )
    }
    const first = created[0]!
    expect(first).toMatchObject({
      location: 'nbg1',
      refusedLocations: [],
      recovered: false,
      server: { name: names[0], serverType: 'cx22', location: 'nbg1', imageId: image.id },
    })
    expect(first.server.labels).toMatchObject(labels)
    expect(first.server.labels[CREATE_TOKEN_LABEL]).toMatch(/^[0-9a-f]{16}$/)
    expect(first.actions.map((a) => a.command)).toEqual(['create_server'])

    const progress: HetznerAction[][] = []
    const done = await client.actions.waitFor(first.actions, {
      pollIntervalMs: 30,
      onProgress: (a) => progress.push(a),
    })
    expect(done[0]).toMatchObject({ status: 'success', progress: 100 })
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress[0]![0]!.status).toBe('running')

    const listed = await client.servers.list({ labelSelector: labelSelector(labels) })
    expect(listed.map((s) => s.name).sort()).toEqual([...names].sort())
    expect(await client.servers.list({ name: names[1] })).toHaveLength(1)

    const server = await client.servers.get(first.server.id)
    expect(server).toMatchObject({ id: first.server.id, status: 'off', ipv4: expect.any(String) })

    for (const c of created) {
      const action = await client.servers.delete(c.server.id)
      expect(action?.command).toBe('delete_server')
      await client.actions.waitFor([action!], { pollIntervalMs: 30 })
    }
    expect(await client.servers.find(first.server.id)).toBeNull()
    expect(await client.servers.delete(first.server.id)).toBeNull()
    await expect(client.servers.get(first.server.id)).rejects.toMatchObject({ code: 'not_found' })
    expect(await client.servers.list({ labelSelector: labelSelector(labels) })).toEqual([])
  })

  it('reports a failing action with Hetzner code and message, and a slow one by name', async () => {
    const client = clientFor(project)
    await control().failActions(
      { command: 'create_server', code: 'server_limit', message: 'disk image broken' },
      project.id,
    )
    const failing = await client.servers.create({
      name: serverName('act-fail'),
      serverType: 'cx22',
      image: 'ubuntu-24.04',
      location: 'fsn1',
      startAfterCreate: false,
    })
    const error = await client.actions
      .waitFor(failing.actions, { pollIntervalMs: 30 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'remote_error',
      message: "Hetzner's create_server action failed (server_limit): disk image broken.",
      details: { hetznerCode: 'server_limit', actionId: failing.actions[0]!.id },
    })

    await control().setActionDuration(5_000, project.id)
    const slow = await client.servers.create({
      name: serverName('act-slow'),
      serverType: 'cx22',
      image: 'ubuntu-24.04',
      location: 'fsn1',
      startAfterCreate: false,
    })
    await expect(
      client.actions.waitFor(slow.actions, { pollIntervalMs: 50, timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'remote_error',
      message: expect.stringMatching(/create_server action was still running after 0 s/),
    })
    for (const s of [failing, slow]) await client.servers.delete(s.server.id)
  })

  it('registers an SSH key once, finds it by fingerprint, and deletes it', async () => {
    const client = clientFor(project)
    const pair = generateEd25519KeyPair('someone@laptop')
    const first = await client.sshKeys.ensure('cairn-abc', pair.publicKey, {
      'managed-by': 'cairn',
    })
    expect(first).toMatchObject({
      name: 'cairn-abc',
      fingerprint: hetznerFingerprint(pair.publicKey),
      labels: { 'managed-by': 'cairn' },
    })
    // Same key under another name: the existing entry is reused, not duplicated.
    const again = await client.sshKeys.ensure('cairn-other-name', pair.publicKey)
    expect(again.id).toBe(first.id)
    expect(await client.sshKeys.list({ labelSelector: 'managed-by=cairn' })).toContainEqual(first)

    // A different key under a taken name: Hetzner's uniqueness error, as a conflict.
    const other = generateEd25519KeyPair()
    await expect(client.sshKeys.ensure('cairn-abc', other.publicKey)).rejects.toMatchObject({
      code: 'conflict',
      details: { hetznerCode: 'uniqueness_error' },
    })
    expect(await client.sshKeys.delete(first.id)).toBe(true)
    expect(await client.sshKeys.delete(first.id)).toBe(false)
  })
})
