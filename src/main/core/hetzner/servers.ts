import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { CairnError } from '../../../shared/errors'
import { apiActionSchema, apiCreateServerSchema, apiServerSchema } from './api-schemas'
import { createOnce } from './create-once'
import type { HetznerClient } from './hetzner-client'
import { parseAnswer } from './hetzner-client'
import { CAPACITY_CODES } from './http-failure'
import { assertValidLabels, labelSelector } from './labels'
import { toAction, toServer, type HetznerAction, type HetznerServer } from './types'

/** Hetzner refuses larger user_data. */
export const USER_DATA_LIMIT_BYTES = 32 * 1024

/**
 * Set by `create` on every server it makes: a random value only that create knows, so that after a
 * lost answer Cairn can tell its own server from another one with the same name.
 */
export const CREATE_TOKEN_LABEL = 'cairn-create-token'

export interface CreateServerParams {
  /** RFC 1123 hostname, unique in the project. */
  name: string
  serverType: string
  /** An image id (preferred: see HetznerImages.resolve) or name. */
  image: number | string
  location: string
  userData?: string
  /** Ids or names of SSH keys registered with Hetzner; they go to root's authorized_keys. */
  sshKeys?: Array<number | string>
  labels?: Record<string, string>
  /** Default true. */
  startAfterCreate?: boolean
}

export interface CreateServerOptions {
  /**
   * Locations to try, in order, when `location` has no capacity for the server type
   * (`placement_error`, `resource_unavailable`). Only what the user allowed; default none.
   */
  fallbackLocations?: string[]
  signal?: AbortSignal
  /** Told each time a location refused for lack of capacity. */
  onLocationRefused?: (refusal: LocationRefusal) => void
}

export interface LocationRefusal {
  location: string
  hetznerCode: string
  message: string
}

export interface CreatedServer {
  server: HetznerServer
  /** create_server (and start_server): wait for them with `client.actions.waitFor`. */
  actions: HetznerAction[]
  /** Where the server was created. */
  location: string
  /** Locations that refused first, in the order tried. */
  refusedLocations: LocationRefusal[]
  /** The answer was lost and the server was found by its create token instead. */
  recovered: boolean
}

export interface ListServersQuery {
  /** e.g. `managed-by=cairn` or labelSelector({...}) */
  labelSelector?: string
  name?: string
}

const serverAnswer = z.object({ server: apiServerSchema })
const deleteAnswer = z.object({ action: apiActionSchema })

export class HetznerServers {
  constructor(private readonly client: HetznerClient) {}

  async get(id: number, signal?: AbortSignal): Promise<HetznerServer> {
    const body = await this.client.request('GET', `/servers/${id}`, { signal })
    return toServer(parseAnswer(serverAnswer, body, 'a server').server)
  }

  /** The server, or null if Hetzner does not know it (any more). */
  async find(id: number, signal?: AbortSignal): Promise<HetznerServer | null> {
    try {
      return await this.get(id, signal)
    } catch (error) {
      if (error instanceof CairnError && error.code === 'not_found') return null
      throw error
    }
  }

  /** Every server matching the query, across all pages. */
  async list(query: ListServersQuery = {}, signal?: AbortSignal): Promise<HetznerServer[]> {
    const q: Record<string, string> = {}
    if (query.labelSelector !== undefined) q.label_selector = query.labelSelector
    if (query.name !== undefined) q.name = query.name
    const items = await this.client.listAll('/servers', 'servers', apiServerSchema, {
      query: q,
      signal,
    })
    return items.map(toServer)
  }

  async listActions(serverId: number, signal?: AbortSignal): Promise<HetznerAction[]> {
    const items = await this.client.listAll(
      `/servers/${serverId}/actions`,
      'actions',
      apiActionSchema,
      { signal },
    )
    return items.map(toAction)
  }

  /**
   * Deletes a server; returns the delete action to wait for, or null when there is no such server
   * (any more), e.g. because a retry found the first request had already done it.
   */
  async delete(id: number, signal?: AbortSignal): Promise<HetznerAction | null> {
    try {
      const body = await this.client.request('DELETE', `/servers/${id}`, { signal })
      return toAction(parseAnswer(deleteAnswer, body, 'a delete action').action)
    } catch (error) {
      if (error instanceof CairnError && error.code === 'not_found') return null
      throw error
    }
  }

  /**
   * Creates a server, at most once even when answers get lost (see createOnce), in `location` or,
   * when it has no capacity, in the allowed fallback locations in order.
   */
  async create(
    params: CreateServerParams,
    options: CreateServerOptions = {},
  ): Promise<CreatedServer> {
    const labels = { ...params.labels }
    assertValidLabels(labels)
    if (params.userData !== undefined) {
      const size = Buffer.byteLength(params.userData)
      if (size > USER_DATA_LIMIT_BYTES) {
        throw new CairnError(
          'invalid_input',
          `The server's cloud-init user data is ${size} bytes; Hetzner accepts at most ${USER_DATA_LIMIT_BYTES}.`,
        )
      }
    }
    const locations = [params.location, ...(options.fallbackLocations ?? [])].filter(
      (l, i, all) => all.indexOf(l) === i,
    )
    const refused: LocationRefusal[] = []
    for (const location of locations) {
      try {
        const created = await this.createIn(location, params, labels, options.signal)
        return { ...created, location, refusedLocations: refused }
      } catch (error) {
        const code = (error as CairnError).details?.hetznerCode
        if (!(error instanceof CairnError) || typeof code !== 'string' || !CAPACITY_CODES.has(code))
          throw error
        const refusal = {
          location,
          hetznerCode: code,
          message: String(error.details?.hetznerMessage ?? error.message),
        }
        refused.push(refusal)
        this.client.logger.info(`Hetzner has no capacity for ${params.serverType} in ${location}`, {
          hetznerCode: code,
        })
        options.onLocationRefused?.(refusal)
      }
    }
    throw noCapacity(params.serverType, refused, locations.length === 1)
  }

  private async createIn(
    location: string,
    params: CreateServerParams,
    labels: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ server: HetznerServer; actions: HetznerAction[]; recovered: boolean }> {
    const token = randomBytes(8).toString('hex')
    const body = {
      name: params.name,
      server_type: params.serverType,
      image: params.image,
      location,
      start_after_create: params.startAfterCreate ?? true,
      labels: { ...labels, [CREATE_TOKEN_LABEL]: token },
      ...(params.userData === undefined ? {} : { user_data: params.userData }),
      ...(params.sshKeys === undefined ? {} : { ssh_keys: params.sshKeys }),
    }
    const { value, recovered } = await createOnce({
      client: this.client,
      path: '/servers',
      body,
      signal,
      what: `the server "${params.name}"`,
      parse: (answer) => {
        const parsed = parseAnswer(apiCreateServerSchema, answer, 'a created server')
        return {
          server: toServer(parsed.server),
          actions: [parsed.action, ...parsed.next_actions].map(toAction),
        }
      },
      lookup: async () => {
        const mine = await this.list(
          { labelSelector: labelSelector({ [CREATE_TOKEN_LABEL]: token }) },
          signal,
        )
        const server = mine.find((s) => s.name === params.name)
        if (!server) return null
        const actions = (await this.listActions(server.id, signal)).filter(
          (a) => a.command === 'create_server' || a.command === 'start_server',
        )
        return { server, actions }
      },
    })
    return { ...value, recovered }
  }
}

function noCapacity(serverType: string, refused: LocationRefusal[], single: boolean): CairnError {
  const where = refused.map((r) => r.location).join(', ')
  const last = refused[refused.length - 1]
  const reasons = refused.map((r) => `${r.location}: ${r.hetznerCode}: ${r.message}`).join('; ')
  return new CairnError(
    'remote_error',
    `Hetzner cannot place a ${serverType} server in ${where} right now (${reasons}). ` +
      (single
        ? 'Try another location or server type, or allow Cairn to try other locations.'
        : 'Try another server type, or again later.'),
    {
      hetznerCode: last?.hetznerCode ?? null,
      hetznerMessage: last?.message ?? null,
      triedLocations: refused,
    },
  )
}
