import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Client } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hetznerControl, newHetznerProject } from '../../support/cloud-info'

// Fake VMs are real sshd daemons in their own namespaces. These tests log in with ssh2 the way
// Cairn does: as the cloud-init user, with the host key Cairn generated and pinned.

const run = promisify(execFile)

interface Keys {
  hostPrivate: string
  hostPublic: string
  userPrivate: string
  userPublic: string
}

let dir: string
let keys: Keys
let project: Awaited<ReturnType<typeof newHetznerProject>>

async function keypair(name: string): Promise<[string, string]> {
  const file = path.join(dir, name)
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file])
  return [await readFile(file, 'utf8'), (await readFile(file + '.pub', 'utf8')).trim()]
}

function userData(k: Keys): string {
  const indent = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n')
  return `#cloud-config
users:
  - name: dev
    shell: /bin/bash
    sudo: ALL=(ALL) NOPASSWD:ALL
    ssh_authorized_keys:
      - ${k.userPublic}
ssh_pwauth: false
ssh_keys:
  ed25519_private: |
${indent(k.hostPrivate)}
  ed25519_public: ${k.hostPublic}
write_files:
  - path: /home/dev/.cairn/workspace.json
    content: '{"id":"ws-1"}'
    owner: dev:dev
    permissions: '0600'
runcmd:
  - [echo, recorded-not-run]
`
}

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(project.url + p, {
    method,
    headers: { Authorization: `Bearer ${project.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await res.json()) as T
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

interface ServerJson {
  id: number
  status: string
  public_net: { ipv4: { ip: string } }
}

async function waitForStatus(id: number, status: string): Promise<ServerJson> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const { server } = await api<{ server: ServerJson }>('GET', `/servers/${id}`)
    if (server.status === status) return server
    if (Date.now() > deadline) throw new Error(`server ${id} stayed ${server.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function waitForAction(id: number): Promise<{ status: string }> {
  for (;;) {
    const { action } = await api<{ action: { status: string } }>('GET', `/actions/${id}`)
    if (action.status !== 'running') return action
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function createServer(name: string, data: string): Promise<ServerJson> {
  const { server } = await api<{ server: ServerJson }>('POST', '/servers', {
    name,
    server_type: 'cx22',
    image: 'ubuntu-24.04',
    location: 'fsn1',
    user_data: data,
    labels: { 'managed-by': 'cairn' },
  })
  return waitForStatus(server.id, 'running')
}

function blobOf(publicKey: string): Buffer {
  return Buffer.from(publicKey.split(/\s+/)[1] ?? '', 'base64')
}

/** Runs a command as `user` over ssh2, accepting only the pinned host key. */
function ssh(
  ip: string,
  user: string,
  privateKey: string,
  pinned: string,
  command: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    client
      .on('ready', () => {
        client.exec(command, (err, stream) => {
          if (err) return reject(err)
          let out = ''
          stream.on('data', (d: Buffer) => (out += d.toString()))
          stream.stderr.on('data', (d: Buffer) => (out += d.toString()))
          stream.on('close', () => {
            client.end()
            resolve(out)
          })
        })
      })
      .on('error', reject)
      .connect({
        host: ip,
        port: project.sshPort,
        username: user,
        privateKey,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => key.equals(blobOf(pinned)),
      })
  })
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cairn-vm-test-'))
  const [hostPrivate, hostPublic] = await keypair('host')
  const [userPrivate, userPublic] = await keypair('user')
  keys = { hostPrivate, hostPublic, userPrivate, userPublic }
  project = await newHetznerProject()
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('fake VMs', () => {
  it('run sshd with the injected host key and cloud-init user, isolated from the machine and each other', async () => {
    const one = await createServer('vm-one', userData(keys))
    const ip = one.public_net.ipv4.ip
    expect(ip).toMatch(/^127\.0\.0\.\d+$/)

    const who = await ssh(
      ip,
      'dev',
      keys.userPrivate,
      keys.hostPublic,
      'id -un; id -u; echo $HOME; hostname; cat ~/.cairn/workspace.json; echo; stat -c %a ~/.cairn/workspace.json',
    )
    expect(who.split('\n').slice(0, 6)).toEqual([
      'dev',
      '1000',
      '/home/dev',
      'vm-one',
      '{"id":"ws-1"}',
      '600',
    ])

    const ready = await ssh(
      ip,
      'dev',
      keys.userPrivate,
      keys.hostPublic,
      'test -f /var/lib/cloud/instance/boot-finished && echo finished; cloud-init status --wait',
    )
    expect(ready).toContain('finished')
    expect(ready).toContain('status: done')

    await ssh(
      ip,
      'dev',
      keys.userPrivate,
      keys.hostPublic,
      'echo only-on-vm-one > /home/dev/proof.txt; echo tmp > /tmp/vm-one-tmp',
    )
    expect(existsSync('/home/dev/proof.txt')).toBe(false)
    expect(existsSync('/tmp/vm-one-tmp')).toBe(false)
    const [vm] = await hetznerControl().vms(project.id)
    expect(vm?.homeDir).toBeDefined()
    expect(await readFile(path.join(vm?.homeDir ?? '', 'dev/proof.txt'), 'utf8')).toBe(
      'only-on-vm-one\n',
    )
    expect(vm?.cloudInit?.runcmd).toEqual([['echo', 'recorded-not-run']])

    // A second server (its host key generated by the fake) sees nothing of the first.
    const [otherHostPrivate, otherHostPublic] = await keypair('host2')
    const two = await createServer(
      'vm-two',
      userData({ ...keys, hostPrivate: otherHostPrivate, hostPublic: otherHostPublic }),
    )
    expect(two.public_net.ipv4.ip).not.toBe(ip)
    const seen = await ssh(
      two.public_net.ipv4.ip,
      'dev',
      keys.userPrivate,
      otherHostPublic,
      'ls -a /home/dev; test -e /home/dev/proof.txt && echo LEAK || echo clean; ls /tmp',
    )
    expect(seen).toContain('clean')
    expect(seen).not.toContain('vm-one-tmp')

    // The pin holds: a different host key is refused.
    await expect(ssh(ip, 'dev', keys.userPrivate, otherHostPublic, 'true')).rejects.toThrow()

    // Delete: sshd gone (connection refused) and the VM's disk removed.
    const { action } = await api<{ action: { id: number } }>('DELETE', `/servers/${one.id}`)
    expect((await waitForAction(action.id)).status).toBe('success')
    await expect(ssh(ip, 'dev', keys.userPrivate, keys.hostPublic, 'true')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    })
    expect(existsSync(vm?.homeDir ?? '/nonexistent')).toBe(false)

    const del2 = await api<{ action: { id: number } }>('DELETE', `/servers/${two.id}`)
    await waitForAction(del2.action.id)
  })

  it('gives root the request ssh_keys; power off stops sshd, power on brings the same disk back', async () => {
    const { ssh_key } = await api<{ ssh_key: { id: number } }>('POST', '/ssh_keys', {
      name: 'root-key',
      public_key: keys.userPublic,
    })
    const { server } = await api<{ server: ServerJson }>('POST', '/servers', {
      name: 'vm-power',
      server_type: 'cpx11',
      image: 'ubuntu-24.04',
      ssh_keys: [ssh_key.id],
      user_data: userData(keys),
    })
    const ip = (await waitForStatus(server.id, 'running')).public_net.ipv4.ip
    expect(
      await ssh(ip, 'root', keys.userPrivate, keys.hostPublic, 'id -u; echo kept > /home/dev/kept'),
    ).toBe('0\n')

    const off = await api<{ action: { id: number } }>(
      'POST',
      `/servers/${server.id}/actions/poweroff`,
    )
    await waitForAction(off.action.id)
    await waitForStatus(server.id, 'off')
    await expect(ssh(ip, 'dev', keys.userPrivate, keys.hostPublic, 'true')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    })

    const on = await api<{ action: { id: number } }>(
      'POST',
      `/servers/${server.id}/actions/poweron`,
    )
    expect((await waitForAction(on.action.id)).status).toBe('success')
    await waitForStatus(server.id, 'running')
    expect(
      await ssh(ip, 'dev', keys.userPrivate, keys.hostPublic, 'cat ~/kept; cloud-init status'),
    ).toBe('kept\nstatus: done\n')

    const del = await api<{ action: { id: number } }>('DELETE', `/servers/${server.id}`)
    await waitForAction(del.action.id)
  })
})
