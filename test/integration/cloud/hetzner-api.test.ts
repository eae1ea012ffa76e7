import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalCloud } from '../../../cloud/index'
import type { LocalCloud } from '../../../cloud/index'
import { hetznerControl, newHetznerProject } from '../../support/cloud-info'

// Behaviour of the fake Hetzner API beyond what the Python client checks: errors, pagination,
// label selectors, rate-limit headers, action lifecycle and every control-plane switch.

type Project = Awaited<ReturnType<typeof newHetznerProject>>

interface Action {
  id: number
  command: string
  status: string
  progress: number
  finished: string | null
  error: { code: string; message: string } | null
}
interface Server {
  id: number
  name: string
  status: string
  image: { architecture: string }
  public_net: { ipv4: { ip: string } }
}
/** The union of the answer shapes these tests read; a missing part fails the test that reads it. */
interface Body {
  error: { code: string; message: string; details: { fields?: { name: string }[] } }
  action: Action
  actions: Action[]
  next_actions: Action[]
  server: Server
  servers: Server[]
  meta: { pagination: unknown }
  root_password: string | null
}

async function call(
  project: Pick<Project, 'url' | 'token'>,
  method: string,
  p: string,
  body?: unknown,
) {
  const res = await fetch(project.url + p, {
    method,
    headers: { Authorization: `Bearer ${project.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    json: (text ? JSON.parse(text) : undefined) as Body,
  }
}

async function waitAction(project: Project, id: number): Promise<Action> {
  for (;;) {
    const { json } = await call(project, 'GET', `/actions/${id}`)
    if (json.action.status !== 'running') return json.action
    await new Promise((r) => setTimeout(r, 25))
  }
}

const newServer = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  server_type: 'cx22',
  image: 'ubuntu-24.04',
  start_after_create: false,
  ...extra,
})

let project: Project
const control = () => hetznerControl()

beforeAll(async () => {
  project = await newHetznerProject()
})

describe('fake Hetzner API', () => {
  it('answers with Hetzner error shapes and rate-limit headers', async () => {
    const missing = await call(project, 'GET', '/servers/999')
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({
      error: { code: 'not_found', message: 'server not found', details: {} },
    })
    expect(Number(missing.headers.get('ratelimit-limit'))).toBe(3600)
    expect(Number(missing.headers.get('ratelimit-remaining'))).toBeGreaterThan(3500)
    expect(Number(missing.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000),
    )

    const bad = await call(project, 'POST', '/servers', {
      name: 'bad_name!',
      server_type: 'cx22',
      image: 'ubuntu-24.04',
    })
    expect(bad.status).toBe(400)
    expect(bad.json.error.code).toBe('invalid_input')
    expect(bad.json.error.details.fields?.[0]?.name).toBe('name')

    const json = await call(project, 'POST', '/servers', '{"name":')
    expect(json.status).toBe(400)
    expect(json.json.error.code).toBe('json_error')

    const wrongLocation = await call(
      project,
      'POST',
      '/servers',
      newServer('x', { location: 'ash' }),
    )
    expect(wrongLocation.json.error.code).toBe('invalid_input')

    expect((await call(project, 'POST', '/servers', newServer('dup'))).status).toBe(201)
    const dup = await call(project, 'POST', '/servers', newServer('dup'))
    expect(dup.status).toBe(409)
    expect(dup.json.error).toMatchObject({
      code: 'uniqueness_error',
      details: { fields: [{ name: 'name' }] },
    })

    const unauthorized = await call({ ...project, token: 'nope' }, 'GET', '/servers')
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.json).toEqual({
      error: { code: 'unauthorized', message: 'unable to authenticate', details: {} },
    })
  })

  it('paginates and filters by label selector', async () => {
    const p = await newHetznerProject()
    const labels = [
      { env: 'prod', team: 'a' },
      { env: 'staging', team: 'b' },
      { env: 'dev' },
      { other: '' },
    ]
    for (const [i, l] of labels.entries())
      await call(p, 'POST', '/servers', newServer(`s${i}`, { labels: l }))
    const names = async (selector: string) =>
      (
        await call(p, 'GET', `/servers?label_selector=${encodeURIComponent(selector)}`)
      ).json.servers.map((s) => s.name)
    expect(await names('env=prod')).toEqual(['s0'])
    expect(await names('env==prod')).toEqual(['s0'])
    expect(await names('env!=prod')).toEqual(['s1', 's2', 's3'])
    expect(await names('team')).toEqual(['s0', 's1'])
    expect(await names('!team')).toEqual(['s2', 's3'])
    expect(await names('env in (prod,dev)')).toEqual(['s0', 's2'])
    expect(await names('env notin (prod,dev),env')).toEqual(['s1'])
    expect(await names('env,!team')).toEqual(['s2'])

    const page = await call(p, 'GET', '/servers?per_page=3&page=2&sort=name:desc')
    expect(page.json.servers.map((s) => s.name)).toEqual(['s0'])
    expect(page.json.meta.pagination).toEqual({
      page: 2,
      per_page: 3,
      previous_page: 1,
      next_page: null,
      last_page: 2,
      total_entries: 4,
    })
    expect(page.headers.get('link')).toContain('rel="prev"')
    expect((await call(p, 'GET', '/servers?per_page=0')).json.error.code).toBe('invalid_input')
  })

  it('runs actions from running to success, with configurable duration and failures', async () => {
    const p = await newHetznerProject()
    await control().setActionDuration(1500, p.id)
    const created = await call(p, 'POST', '/servers', newServer('slow'))
    expect(created.json.action).toMatchObject({
      command: 'create_server',
      status: 'running',
      error: null,
      finished: null,
    })
    expect(created.json.next_actions).toEqual([])
    expect(typeof created.json.root_password).toBe('string')
    await new Promise((r) => setTimeout(r, 300))
    const mid = (await call(p, 'GET', `/actions/${created.json.action.id}`)).json.action
    expect(mid.status).toBe('running')
    expect(mid.progress).toBeGreaterThan(0)
    expect(mid.progress).toBeLessThan(100)
    const done = await waitAction(p, created.json.action.id)
    expect(done).toMatchObject({ status: 'success', progress: 100 })
    expect((await call(p, 'GET', `/servers/${created.json.server.id}`)).json.server.status).toBe(
      'off',
    )

    await control().setActionDuration(20, p.id)
    await control().failActions(
      { command: 'create_server', code: 'action_failed', message: 'Action failed' },
      p.id,
    )
    const failing = await call(p, 'POST', '/servers', newServer('fails'))
    const failed = await waitAction(p, failing.json.action.id)
    expect(failed).toMatchObject({
      status: 'error',
      error: { code: 'action_failed', message: 'Action failed' },
    })
    const next = await call(p, 'POST', '/servers', newServer('succeeds'))
    expect((await waitAction(p, next.json.action.id)).status).toBe('success')

    const listed = await call(
      p,
      'GET',
      `/actions?id=${failing.json.action.id}&id=${next.json.action.id}`,
    )
    expect(listed.json.actions.map((a) => a.status).sort()).toEqual(['error', 'success'])
  })

  it('holds a server in initializing until released; power actions are locked meanwhile', async () => {
    const p = await newHetznerProject()
    await control().holdInitializing(1, p.id)
    const created = await call(p, 'POST', '/servers', {
      name: 'held',
      server_type: 'cx22',
      image: 'ubuntu-24.04',
    })
    const id = created.json.server.id
    await new Promise((r) => setTimeout(r, 400))
    expect((await call(p, 'GET', `/servers/${id}`)).json.server.status).toBe('initializing')
    const locked = await call(p, 'POST', `/servers/${id}/actions/poweroff`)
    expect(locked.status).toBe(423)
    expect(locked.json.error.code).toBe('locked')
    await control().release(id, p.id)
    expect((await waitAction(p, created.json.next_actions[0]?.id ?? 0)).status).toBe('success')
    expect((await call(p, 'GET', `/servers/${id}`)).json.server.status).toBe('running')
    const del = await call(p, 'DELETE', `/servers/${id}`)
    expect(del.json.action.command).toBe('delete_server')
    expect((await waitAction(p, del.json.action.id)).status).toBe('success')
    expect((await call(p, 'GET', `/servers/${id}`)).status).toBe(404)
  })

  it('injects errors by count and path, per project only', async () => {
    const p = await newHetznerProject()
    const c = control()
    await c.inject({ code: 'unauthorized', times: 2 }, p.id)
    expect((await call(p, 'GET', '/locations')).status).toBe(401)
    expect((await call(p, 'GET', '/server_types')).json.error.code).toBe('unauthorized')
    expect((await call(p, 'GET', '/locations')).status).toBe(200)

    await c.inject({ code: 'rate_limit_exceeded', times: 1 }, p.id)
    const limited = await call(p, 'GET', '/locations')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('ratelimit-remaining')).toBe('0')

    await c.inject({ method: 'POST', path: '/servers', code: 'placement_error', times: 1 }, p.id)
    await c.inject(
      { method: 'POST', path: '/servers', code: 'resource_limit_exceeded', times: 1 },
      p.id,
    )
    expect((await call(p, 'POST', '/servers', newServer('a'))).status).toBe(412)
    const limit = await call(p, 'POST', '/servers', newServer('a'))
    expect([limit.status, limit.json.error.code]).toEqual([422, 'resource_limit_exceeded'])
    const created = await call(p, 'POST', '/servers', newServer('a'))
    expect(created.status).toBe(201)
    await waitAction(p, created.json.action.id)

    const ruleId = await c.inject({ path: '/servers/:id/actions/**', code: 'unavailable' }, p.id)
    const server = created.json.server
    expect((await call(p, 'POST', `/servers/${server.id}/actions/poweron`)).status).toBe(503)
    expect((await call(p, 'GET', `/servers/${server.id}`)).status).toBe(200)
    // Other projects are untouched by this project's faults.
    expect((await call(project, 'GET', '/servers')).status).toBe(200)
    await c.clearFaults(p.id, ruleId)
    expect((await call(p, 'POST', `/servers/${server.id}/actions/poweron`)).status).toBe(201)

    await c.setRateLimit({ remaining: 0 }, p.id)
    const empty = await call(p, 'GET', '/locations')
    expect([empty.status, empty.json.error.code]).toEqual([429, 'rate_limit_exceeded'])
    await c.reset(p.id)
    expect((await call(p, 'GET', '/locations')).status).toBe(200)
  })
})

describe('startLocalCloud options and the in-process control', () => {
  let cloud: LocalCloud<{
    s3: false
    keyring: false
    hetzner: { vms: false; actionDurationMs: 10 }
  }>

  beforeAll(async () => {
    cloud = await startLocalCloud({
      s3: false,
      keyring: false,
      hetzner: { vms: false, actionDurationMs: 10 },
    })
  })
  afterAll(async () => {
    await cloud.stop()
  })

  it('starts only the API (servers without VMs) and controls it in-process', async () => {
    expect(cloud.s3).toBeUndefined()
    expect(cloud.keyring).toBeUndefined()
    const p = { url: cloud.hetzner.url, token: cloud.hetzner.token }
    await cloud.hetzner.control.inject({ code: 'unavailable', times: 1 })
    expect((await call(p, 'GET', '/locations')).status).toBe(503)
    const created = await call(p, 'POST', '/servers', {
      name: 'api-only',
      server_type: 'cax11',
      image: 'ubuntu-24.04',
    })
    expect(created.json.server.image.architecture).toBe('arm')
    expect(created.json.server.public_net.ipv4.ip).toMatch(/^203\.0\.113\./)
    const [vm] = await cloud.hetzner.control.vms()
    expect(vm?.name).toBe('api-only')
    expect(vm?.homeDir).toBeUndefined()
  })
})
