import type { z } from 'zod'
import type { apiActionSchema, apiServerSchema, apiSshKeySchema } from './api-schemas'

/** A Hetzner server as Cairn uses it. */
export interface HetznerServer {
  id: number
  name: string
  /** initializing, starting, running, stopping, off, deleting, migrating, rebuilding, unknown */
  status: string
  /** ISO 8601 */
  created: string
  ipv4: string | null
  ipv6: string | null
  serverType: string
  /** GB, as Hetzner reports it */
  memoryGb: number
  diskGb: number
  location: string
  imageId: number | null
  labels: Record<string, string>
}

export interface HetznerAction {
  id: number
  command: string
  status: 'running' | 'success' | 'error'
  /** 0..100 */
  progress: number
  started: string
  finished: string | null
  resources: Array<{ id: number; type: string }>
  error: { code: string; message: string } | null
}

export interface HetznerSshKey {
  id: number
  name: string
  /** MD5, `aa:bb:...`, as Hetzner shows it */
  fingerprint: string
  publicKey: string
  labels: Record<string, string>
}

export function toServer(s: z.output<typeof apiServerSchema>): HetznerServer {
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    created: s.created,
    ipv4: s.public_net.ipv4?.ip ?? null,
    ipv6: s.public_net.ipv6?.ip ?? null,
    serverType: s.server_type.name,
    memoryGb: s.server_type.memory,
    diskGb: s.server_type.disk,
    location: s.datacenter.location.name,
    imageId: s.image?.id ?? null,
    labels: s.labels,
  }
}

export function toAction(a: z.output<typeof apiActionSchema>): HetznerAction {
  return { ...a }
}

export function toSshKey(k: z.output<typeof apiSshKeySchema>): HetznerSshKey {
  return {
    id: k.id,
    name: k.name,
    fingerprint: k.fingerprint,
    publicKey: k.public_key,
    labels: k.labels,
  }
}
