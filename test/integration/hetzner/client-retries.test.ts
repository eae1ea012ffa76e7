import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFileLogger } from '../../../src/main/core/logging/logger'
import type { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { newHetznerProject } from '../../support/cloud-info'
import {
  CapturingLogger,
  clientFor,
  control,
  fastPolicy,
  serverName,
  type Project,
} from './client-support'

const params = (name: string) => ({
  name,
  serverType: 'cx22',
  image: 'ubuntu-24.04',
  location: 'fsn1',
  labels: { 'managed-by': 'cairn', 'workspace-id': 'ws-retry' },
  startAfterCreate: false,
})

/** A network that loses answers: the request reaches Hetzner, the answer never comes back. */
function losingFetch(lose: (url: URL, init: RequestInit) => 'answer' | 'drop' | 'empty-list') {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input))
    const what = lose(url, init ?? {})
    if (what === 'empty-list') {
      // A list that lags behind a create (eventual consistency).
      const meta = { pagination: { page: 1, next_page: null } }
      return Response.json({ servers: [], meta })
    }
    const response = await fetch(input, init)
    if (what === 'drop') {
      await response.arrayBuffer()
      throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
    }
    return response
  }
}

async function serversNamed(client: HetznerClient, name: string) {
  return client.servers.list({ name })
}

describe('HetznerClient retries and creates that happen once', () => {
  let project: Project
  beforeAll(async () => {
    project = await newHetznerProject()
  })
  afterEach(async () => {
    await control().reset(project.id)
  })

  it('retries 503, locked, conflict and timeout on reads, and locked/conflict/429 on a create', async () => {
    const client = clientFor(project)
    await control().inject(
      { method: 'GET', path: '/locations', code: 'unavailable', times: 1 },
      project.id,
    )
    await control().inject(
      { method: 'GET', path: '/locations', code: 'locked', times: 1 },
      project.id,
    )
    await control().inject(
      { method: 'GET', path: '/locations', code: 'timeout', times: 1 },
      project.id,
    )
    expect((await client.listLocations()).length).toBeGreaterThan(0)

    await control().inject(
      { method: 'POST', path: '/servers', code: 'locked', times: 1 },
      project.id,
    )
    await control().inject(
      { method: 'POST', path: '/servers', code: 'conflict', times: 1 },
      project.id,
    )
    await control().inject(
      { method: 'POST', path: '/servers', code: 'rate_limit_exceeded', times: 1 },
      project.id,
    )
    const name = serverName('retry-create')
    const created = await client.servers.create(params(name))
    expect(created.recovered).toBe(false)
    expect(await serversNamed(client, name)).toHaveLength(1)
  })

  it('waits out a real 429 for the time RateLimit headers give', async () => {
    const client = clientFor(project)
    await control().setRateLimit({ remaining: 0 }, project.id)
    const started = Date.now()
    expect((await client.listLocations()).length).toBeGreaterThan(0)
    // limit 3600/h refills one request per second
    expect(Date.now() - started).toBeGreaterThanOrEqual(800)
  })

  it('gives up on a lasting 429 with rate_limited and when to come back', async () => {
    const client = clientFor(project, { retry: { ...fastPolicy, maxAttempts: 2 } })
    await control().inject({ path: '/server_types', code: 'rate_limit_exceeded' }, project.id)
    await expect(client.listServerTypes()).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number), hetznerCode: 'rate_limit_exceeded' },
    })
  })

  it('after a 504 on create, looks the server up before sending it again: one server', async () => {
    const logger = new CapturingLogger()
    const client = clientFor(project, { logger })
    await control().inject(
      { method: 'POST', path: '/servers', code: 'timeout', times: 1 },
      project.id,
    )
    const name = serverName('uncertain')
    const created = await client.servers.create(params(name))
    expect(created.recovered).toBe(false)
    expect(await serversNamed(client, name)).toHaveLength(1)
    expect(logger.text()).toContain('outcome unknown, looking it up')
  })

  it('recovers a server whose create answer was lost, without creating a second one', async () => {
    let posts = 0
    const client = clientFor(project, {
      fetch: losingFetch((url, init) =>
        init.method === 'POST' && url.pathname.endsWith('/servers') && ++posts === 1
          ? 'drop'
          : 'answer',
      ),
    })
    const name = serverName('lost-answer')
    const created = await client.servers.create(params(name))
    expect(posts).toBe(1)
    expect(created.recovered).toBe(true)
    expect(created.server.name).toBe(name)
    expect(created.actions.map((a) => a.command)).toEqual(['create_server'])
    const all = await serversNamed(client, name)
    expect(all.map((s) => s.id)).toEqual([created.server.id])
  })

  it('recovers through the name uniqueness error when the first lookup lags behind', async () => {
    let posts = 0
    let lookups = 0
    const client = clientFor(project, {
      fetch: losingFetch((url, init) => {
        if (init.method === 'POST' && url.pathname.endsWith('/servers')) {
          return ++posts === 1 ? 'drop' : 'answer'
        }
        if (url.searchParams.has('label_selector') && ++lookups === 1) return 'empty-list'
        return 'answer'
      }),
    })
    const name = serverName('lagging')
    const created = await client.servers.create(params(name))
    expect(posts).toBe(2) // the second POST met the name taken by the first
    expect(created.recovered).toBe(true)
    expect((await serversNamed(client, name)).map((s) => s.id)).toEqual([created.server.id])
  })

  it("never adopts someone else's server with the same name", async () => {
    const client = clientFor(project)
    const name = serverName('taken')
    const theirs = await client.servers.create({ ...params(name), labels: {} })
    await expect(client.servers.create(params(name))).rejects.toMatchObject({
      code: 'conflict',
      details: { hetznerCode: 'uniqueness_error' },
    })
    expect((await serversNamed(client, name)).map((s) => s.id)).toEqual([theirs.server.id])
  })

  it('a create that keeps failing uncertainly ends with Hetzner’s error and no server', async () => {
    const client = clientFor(project)
    await control().inject(
      { method: 'POST', path: '/servers', code: 'server_error', message: 'backend on fire' },
      project.id,
    )
    const name = serverName('on-fire')
    await expect(client.servers.create(params(name))).rejects.toMatchObject({
      code: 'remote_error',
      message: 'Hetzner answered 500 (server_error): backend on fire',
      details: { hetznerCode: 'server_error', hetznerMessage: 'backend on fire' },
    })
    expect(await serversNamed(client, name)).toEqual([])
  })

  it('does not retry a refused request (invalid input) and passes Hetzner’s message on', async () => {
    const client = clientFor(project)
    await expect(
      client.servers.create({ ...params('not_a_hostname!'), labels: {} }),
    ).rejects.toMatchObject({
      code: 'remote_error',
      details: { hetznerCode: 'invalid_input', status: 400 },
      message: expect.stringContaining("invalid input in field 'name'"),
    })
  })

  it('never logs the token or puts it into an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-hetzner-log-'))
    try {
      const capture = new CapturingLogger()
      const file = createFileLogger({ dir }) // no KnownSecrets: only what the client writes
      const both = {
        debug: (m: string, f?: Record<string, unknown>) => (capture.debug(m, f), file.debug(m, f)),
        info: (m: string, f?: Record<string, unknown>) => (capture.info(m, f), file.info(m, f)),
        warn: (m: string, f?: Record<string, unknown>) => (capture.warn(m, f), file.warn(m, f)),
        error: (m: string, e?: unknown, f?: Record<string, unknown>) => (
          capture.error(m, e, f),
          file.error(m, e, f)
        ),
      }
      let calls = 0
      const client = clientFor(project, {
        logger: both,
        fetch: async (input, init) => {
          // A library error that echoes the request, headers included.
          if (++calls === 1) {
            const auth = new Headers(init?.headers).get('authorization')
            throw new TypeError(`fetch failed: ${auth}`, { cause: { code: 'ECONNRESET' } })
          }
          return fetch(input, init)
        },
      })
      await control().inject({ path: '/locations', code: 'unavailable', times: 1 }, project.id)
      await control().inject(
        { path: '/locations', code: 'rate_limit_exceeded', times: 1 },
        project.id,
      )
      await control().inject({ path: '/server_types', code: 'placement_error' }, project.id)
      const error = await client.catalog().catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'remote_error' })
      await client.servers.create(params(serverName('log'))).catch(() => {})
      expect(capture.lines.length).toBeGreaterThanOrEqual(3)
      expect(capture.text()).not.toContain(project.token)
      expect(JSON.stringify(error)).not.toContain(project.token)
      expect(String((error as Error).message)).not.toContain(project.token)
      expect(await readFile(file.path, 'utf8')).not.toContain(project.token)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
