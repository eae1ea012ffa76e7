import { createHash } from 'node:crypto'
import { listReply } from './catalog-routes'
import { invalidInput, notFound, requireObject, uniquenessError } from './errors'
import { parseLabelSelector, validateLabels } from './label-selector'
import { sortBy } from './pagination'
import { newId, timestamp } from './project'
import type { Project, SshKeyRecord } from './project'
import type { Router } from './router'

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
])

/** MD5 fingerprint of an OpenSSH public key, as Hetzner shows it (aa:bb:...). */
export function fingerprintOf(publicKey: string): string {
  const parts = publicKey.trim().split(/\s+/)
  const type = parts[0] ?? ''
  const blob = Buffer.from(parts[1] ?? '', 'base64')
  // The blob starts with the key type as an SSH string; a mismatch means it is not a key.
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1
  if (!KEY_TYPES.has(type) || len <= 0 || blob.subarray(4, 4 + len).toString() !== type) {
    throw invalidInput('public_key', 'invalid public key')
  }
  return createHash('md5').update(blob).digest('hex').match(/../g)?.join(':') ?? ''
}

function keyJson(k: SshKeyRecord) {
  return {
    id: k.id,
    name: k.name,
    fingerprint: k.fingerprint,
    public_key: k.public_key,
    labels: k.labels,
    created: k.created,
  }
}

function findKey(project: Project, raw: string | undefined): SshKeyRecord {
  const key = /^\d+$/.test(raw ?? '') ? project.sshKeys.get(Number(raw)) : undefined
  if (!key) throw notFound('SSH key')
  return key
}

export function addSshKeyRoutes(router: Router): void {
  router
    .on('GET', '/ssh_keys', (ctx) => {
      let keys = [...ctx.project.sshKeys.values()]
      const name = ctx.query.get('name')
      if (name !== null) keys = keys.filter((k) => k.name === name)
      const fingerprint = ctx.query.get('fingerprint')
      if (fingerprint !== null) keys = keys.filter((k) => k.fingerprint === fingerprint)
      const selector = ctx.query.get('label_selector')
      if (selector !== null) {
        const matches = parseLabelSelector(selector)
        keys = keys.filter((k) => matches(k.labels))
      }
      return listReply(ctx, 'ssh_keys', sortBy(keys, ctx.query, ['id', 'name', 'created']), keyJson)
    })
    .on('POST', '/ssh_keys', (ctx) => {
      const body = requireObject(ctx.body)
      if (typeof body.name !== 'string' || body.name.trim() === '')
        throw invalidInput('name', 'is required')
      if (typeof body.public_key !== 'string') throw invalidInput('public_key', 'is required')
      const fingerprint = fingerprintOf(body.public_key)
      const labels = validateLabels(body.labels)
      for (const k of ctx.project.sshKeys.values()) {
        if (k.name === body.name)
          throw uniquenessError('name', 'SSH key with the same name already exists')
        if (k.fingerprint === fingerprint)
          throw uniquenessError('public_key', 'SSH key with the same fingerprint already exists')
      }
      const key: SshKeyRecord = {
        id: newId('sshKey'),
        name: body.name,
        fingerprint,
        public_key: body.public_key.trim(),
        labels,
        created: timestamp(),
      }
      ctx.project.sshKeys.set(key.id, key)
      return { status: 201, body: { ssh_key: keyJson(key) } }
    })
    .on('GET', '/ssh_keys/:id', (ctx) => ({
      status: 200,
      body: { ssh_key: keyJson(findKey(ctx.project, ctx.params.id)) },
    }))
    .on('PUT', '/ssh_keys/:id', (ctx) => {
      const key = findKey(ctx.project, ctx.params.id)
      const body = requireObject(ctx.body)
      if (body.name !== undefined) {
        if (typeof body.name !== 'string' || body.name.trim() === '')
          throw invalidInput('name', 'is invalid')
        for (const k of ctx.project.sshKeys.values()) {
          if (k !== key && k.name === body.name)
            throw uniquenessError('name', 'SSH key with the same name already exists')
        }
        key.name = body.name
      }
      if (body.labels !== undefined) key.labels = validateLabels(body.labels)
      return { status: 200, body: { ssh_key: keyJson(key) } }
    })
    .on('DELETE', '/ssh_keys/:id', (ctx) => {
      const key = findKey(ctx.project, ctx.params.id)
      ctx.project.sshKeys.delete(key.id)
      return { status: 204 }
    })
}
