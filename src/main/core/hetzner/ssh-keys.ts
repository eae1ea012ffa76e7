import { createHash } from 'node:crypto'
import { z } from 'zod'
import { CairnError } from '../../../shared/errors'
import { apiSshKeySchema } from './api-schemas'
import { createOnce } from './create-once'
import type { HetznerClient } from './hetzner-client'
import { parseAnswer } from './hetzner-client'
import { assertValidLabels } from './labels'
import { toSshKey, type HetznerSshKey } from './types'

const keyAnswer = z.object({ ssh_key: apiSshKeySchema })

/** Hetzner's fingerprint of an OpenSSH public key line: MD5 of the key blob, `aa:bb:...`. */
export function hetznerFingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1]
  if (blob === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
    throw new CairnError(
      'invalid_input',
      'This is not an OpenSSH public key ("ssh-ed25519 AAAA...").',
    )
  }
  const hex = createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex')
  return hex.match(/../g)!.join(':')
}

export class HetznerSshKeys {
  constructor(private readonly client: HetznerClient) {}

  async list(
    query: { name?: string; fingerprint?: string; labelSelector?: string } = {},
    signal?: AbortSignal,
  ): Promise<HetznerSshKey[]> {
    const q: Record<string, string> = {}
    if (query.name !== undefined) q.name = query.name
    if (query.fingerprint !== undefined) q.fingerprint = query.fingerprint
    if (query.labelSelector !== undefined) q.label_selector = query.labelSelector
    const items = await this.client.listAll('/ssh_keys', 'ssh_keys', apiSshKeySchema, {
      query: q,
      signal,
    })
    return items.map(toSshKey)
  }

  /** Registers a public key. Fails with `conflict` if the name or the key is registered already. */
  async create(
    name: string,
    publicKey: string,
    labels: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<HetznerSshKey> {
    assertValidLabels(labels)
    const body = await this.client.request('POST', '/ssh_keys', {
      body: { name, public_key: publicKey.trim(), labels },
      signal,
    })
    return toSshKey(parseAnswer(keyAnswer, body, 'an SSH key').ssh_key)
  }

  /** True if it was deleted, false if there was no such key. */
  async delete(id: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.request('DELETE', `/ssh_keys/${id}`, { signal })
      return true
    } catch (error) {
      if (error instanceof CairnError && error.code === 'not_found') return false
      throw error
    }
  }

  /**
   * The project's entry for `publicKey`, registered under `name` if it is not there yet. Found by
   * fingerprint (Hetzner keeps those unique), so a key the user registered by hand is reused under
   * its own name. Safe against lost answers like server creates (see createOnce).
   */
  async ensure(
    name: string,
    publicKey: string,
    labels: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<HetznerSshKey> {
    assertValidLabels(labels)
    const fingerprint = hetznerFingerprint(publicKey)
    const lookup = async () => (await this.list({ fingerprint }, signal))[0] ?? null
    const existing = await lookup()
    if (existing) return existing
    const { value } = await createOnce({
      client: this.client,
      path: '/ssh_keys',
      body: { name, public_key: publicKey.trim(), labels },
      signal,
      what: `the SSH key "${name}"`,
      parse: (answer) => toSshKey(parseAnswer(keyAnswer, answer, 'an SSH key').ssh_key),
      lookup,
    })
    return value
  }
}
