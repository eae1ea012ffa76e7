import { randomBytes } from 'node:crypto'
import { byIdOrName, datacenterJson, datacenters, images, locations, serverTypes } from './catalog'
import { listReply } from './catalog-routes'
import { apiError, invalidInput, notFound, requireObject, uniquenessError } from './errors'
import { parseLabelSelector, validateLabels } from './label-selector'
import { sortBy } from './pagination'
import { actionJson, newId, timestamp } from './project'
import type { ActionRecord, Project, ServerRecord } from './project'
import type { RequestContext, Router } from './router'
import { runCreate, runDelete, runPower } from './server-lifecycle'
import type { Lifecycle, PowerCommand } from './server-lifecycle'

const hostname =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const USER_DATA_LIMIT = 32 * 1024

function reverseDns(ip: string): string {
  return `static.${ip.split('.').reverse().join('.')}.clients.your-server.de`
}

export function serverJson(s: ServerRecord) {
  const price = s.serverType.prices.find((p) => p.location === s.location.name)
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    created: s.created,
    public_net: {
      ipv4: { id: s.ipv4Id, ip: s.ip, blocked: false, dns_ptr: reverseDns(s.ip) },
      ipv6: { id: s.ipv6Id, ip: s.ipv6, blocked: false, dns_ptr: [] },
      floating_ips: [],
      firewalls: [],
    },
    private_net: [],
    server_type: s.serverType,
    datacenter: datacenterJson(s.location),
    image: s.image,
    iso: null,
    rescue_enabled: false,
    locked: false,
    backup_window: null,
    outgoing_traffic: 0,
    ingoing_traffic: 0,
    included_traffic: price?.included_traffic ?? 0,
    protection: { delete: false, rebuild: false },
    labels: s.labels,
    volumes: [],
    load_balancers: [],
    primary_disk_size: s.serverType.disk,
    placement_group: null,
  }
}

function findServer(project: Project, raw: string | undefined): ServerRecord {
  const server = /^\d+$/.test(raw ?? '') ? project.servers.get(Number(raw)) : undefined
  if (!server) throw notFound('server')
  return server
}

function lifecycle(ctx: RequestContext): Lifecycle {
  return { project: ctx.project, vms: ctx.vms, log: ctx.log }
}

function randomPassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('')
}

async function createServer(ctx: RequestContext) {
  const { project } = ctx
  const body = requireObject(ctx.body)
  if (typeof body.name !== 'string' || body.name === '') throw invalidInput('name', 'is required')
  if (!hostname.test(body.name))
    throw invalidInput('name', 'must be a valid hostname as per RFC 1123')
  const serverType = byIdOrName(serverTypes, body.server_type)
  if (!serverType) throw invalidInput('server_type', 'server type not found')
  if (body.location !== undefined && body.datacenter !== undefined) {
    throw invalidInput('location', 'location and datacenter are mutually exclusive')
  }
  let location = locations.find((l) => serverType.prices.some((p) => p.location === l.name))
  if (body.location !== undefined) {
    location = byIdOrName(locations, body.location)
    if (!location) throw invalidInput('location', 'location not found')
  } else if (body.datacenter !== undefined) {
    const dc = byIdOrName(datacenters, body.datacenter)
    if (!dc) throw invalidInput('datacenter', 'datacenter not found')
    location = dc.location
  }
  if (!location) throw invalidInput('location', 'no location offers this server type')
  if (!serverType.prices.some((p) => p.location === location.name)) {
    throw invalidInput('server_type', 'unsupported location for server type')
  }
  if (serverType.deprecated) {
    throw apiError('unavailable', 'server type is deprecated and no longer available for order')
  }
  const candidates = images.filter((i) => byIdOrName([i], body.image) !== undefined)
  const image = candidates.find((i) => i.architecture === serverType.architecture)
  if (!image) {
    throw invalidInput(
      'image',
      candidates.length > 0 ? 'image architecture does not match server type' : 'image not found',
    )
  }
  if (
    body.user_data !== undefined &&
    body.user_data !== null &&
    typeof body.user_data !== 'string'
  ) {
    throw invalidInput('user_data', 'must be a string')
  }
  const userData = typeof body.user_data === 'string' ? body.user_data : null
  if (userData !== null && Buffer.byteLength(userData) > USER_DATA_LIMIT) {
    throw invalidInput('user_data', 'is too long (maximum is 32768 bytes)')
  }
  const rootKeys: string[] = []
  if (body.ssh_keys !== undefined) {
    if (!Array.isArray(body.ssh_keys)) throw invalidInput('ssh_keys', 'must be a list')
    for (const ref of body.ssh_keys as unknown[]) {
      const key = byIdOrName([...project.sshKeys.values()], ref)
      if (!key) throw invalidInput('ssh_keys', `SSH key ${JSON.stringify(ref)} not found`)
      rootKeys.push(key.public_key)
    }
  }
  const labels = validateLabels(body.labels)
  for (const s of project.servers.values()) {
    if (s.name === body.name) throw uniquenessError('name', 'server name is already used')
  }

  const id = newId('server')
  const ip = await ctx.vms.allocateIp()
  // Another create may have taken the name while we waited for an address.
  if ([...project.servers.values()].some((s) => s.name === body.name)) {
    await ctx.vms.releaseIp(ip)
    throw uniquenessError('name', 'server name is already used')
  }
  const server: ServerRecord = {
    id,
    name: body.name,
    status: 'initializing',
    created: timestamp(),
    labels,
    serverType,
    image,
    location,
    ip,
    ipv4Id: newId('ip'),
    ipv6Id: newId('ip'),
    ipv6: `2001:db8:${(id % 0xffff).toString(16)}::/64`,
    userData,
    rootKeys,
    gone: false,
  }
  project.servers.set(id, server)
  const resources = [{ id, type: 'server' }]
  const create = project.newAction('create_server', resources)
  const start =
    body.start_after_create === false ? undefined : project.newAction('start_server', resources)
  const failures = {
    create: project.takeActionFailure('create_server'),
    start: start ? project.takeActionFailure('start_server') : undefined,
  }
  void runCreate(
    lifecycle(ctx),
    server,
    create,
    start,
    failures,
    project.takeHold(),
    project.takeNoSsh(),
  )
  return {
    status: 201,
    body: {
      server: serverJson(server),
      action: actionJson(create),
      next_actions: start ? [actionJson(start)] : [],
      root_password: rootKeys.length > 0 ? null : randomPassword(),
    },
  }
}

const powerCommands: Record<string, PowerCommand> = {
  poweron: 'start_server',
  poweroff: 'stop_server',
  shutdown: 'shutdown_server',
  reboot: 'reboot_server',
  reset: 'reset_server',
}

function powerAction(ctx: RequestContext) {
  const { project } = ctx
  const server = findServer(project, ctx.params.id)
  const command = powerCommands[ctx.params.action ?? '']
  if (!command) throw notFound('action')
  if (server.status === 'deleting') throw apiError('locked', 'server is being deleted')
  if (project.runningActionFor(server.id)) throw apiError('locked', 'server is locked')
  const action = project.newAction(command, [{ id: server.id, type: 'server' }])
  void runPower(lifecycle(ctx), server, action, project.takeActionFailure(command))
  return { status: 201, body: { action: actionJson(action) } }
}

function actionsOf(project: Project, serverId?: number): ActionRecord[] {
  const all = [...project.actions.values()]
  return serverId === undefined
    ? all.filter((a) => a.resources.some((r) => r.type === 'server'))
    : all.filter((a) => a.resources.some((r) => r.type === 'server' && r.id === serverId))
}

export function filterActions(ctx: RequestContext, list: ActionRecord[]) {
  const ids = ctx.query.getAll('id').map(Number)
  if (ids.length > 0) list = list.filter((a) => ids.includes(a.id))
  const statuses = ctx.query.getAll('status')
  if (statuses.length > 0) list = list.filter((a) => statuses.includes(a.status))
  const sortable = list.map((a) => ({ ...a, started: a.startedAt, finished: a.finishedAt ?? 0 }))
  return sortBy(sortable, ctx.query, ['id', 'command', 'status', 'started', 'finished']).map(
    (a) => ctx.project.actions.get(a.id) as ActionRecord,
  )
}

function findAction(list: ActionRecord[], raw: string | undefined): ActionRecord {
  const action = /^\d+$/.test(raw ?? '') ? list.find((a) => a.id === Number(raw)) : undefined
  if (!action) throw notFound('action')
  return action
}

export function addServerRoutes(router: Router): void {
  router
    .on('GET', '/servers/actions', (ctx) =>
      listReply(ctx, 'actions', filterActions(ctx, actionsOf(ctx.project)), actionJson),
    )
    .on('GET', '/servers/actions/:actionId', (ctx) => ({
      status: 200,
      body: { action: actionJson(findAction(actionsOf(ctx.project), ctx.params.actionId)) },
    }))
    .on('GET', '/servers', (ctx) => {
      let list = [...ctx.project.servers.values()]
      const name = ctx.query.get('name')
      if (name !== null) list = list.filter((s) => s.name === name)
      const selector = ctx.query.get('label_selector')
      if (selector !== null) {
        const matches = parseLabelSelector(selector)
        list = list.filter((s) => matches(s.labels))
      }
      const statuses = ctx.query.getAll('status')
      if (statuses.length > 0) list = list.filter((s) => statuses.includes(s.status))
      return listReply(ctx, 'servers', sortBy(list, ctx.query, ['id', 'name', 'created']), (s) =>
        serverJson(s),
      )
    })
    .on('POST', '/servers', createServer)
    .on('GET', '/servers/:id', (ctx) => ({
      status: 200,
      body: { server: serverJson(findServer(ctx.project, ctx.params.id)) },
    }))
    .on('PUT', '/servers/:id', (ctx) => {
      const server = findServer(ctx.project, ctx.params.id)
      const body = requireObject(ctx.body)
      if (body.name !== undefined) {
        if (typeof body.name !== 'string' || !hostname.test(body.name))
          throw invalidInput('name', 'must be a valid hostname as per RFC 1123')
        for (const s of ctx.project.servers.values()) {
          if (s !== server && s.name === body.name)
            throw uniquenessError('name', 'server name is already used')
        }
        server.name = body.name
      }
      if (body.labels !== undefined) server.labels = validateLabels(body.labels)
      return { status: 200, body: { server: serverJson(server) } }
    })
    .on('DELETE', '/servers/:id', (ctx) => {
      const { project } = ctx
      const server = findServer(project, ctx.params.id)
      if (server.status === 'deleting') throw apiError('locked', 'server is already being deleted')
      const previous = server.status
      server.status = 'deleting'
      const action = project.newAction('delete_server', [{ id: server.id, type: 'server' }])
      void runDelete(
        lifecycle(ctx),
        server,
        action,
        project.takeActionFailure('delete_server'),
        previous,
      )
      return { status: 200, body: { action: actionJson(action) } }
    })
    .on('GET', '/servers/:id/actions', (ctx) => {
      const server = findServer(ctx.project, ctx.params.id)
      return listReply(
        ctx,
        'actions',
        filterActions(ctx, actionsOf(ctx.project, server.id)),
        actionJson,
      )
    })
    .on('GET', '/servers/:id/actions/:actionId', (ctx) => {
      const server = findServer(ctx.project, ctx.params.id)
      return {
        status: 200,
        body: {
          action: actionJson(findAction(actionsOf(ctx.project, server.id), ctx.params.actionId)),
        },
      }
    })
    .on('POST', '/servers/:id/actions/:action', powerAction)
    .on('GET', '/actions', (ctx) =>
      listReply(ctx, 'actions', filterActions(ctx, [...ctx.project.actions.values()]), actionJson),
    )
    .on('GET', '/actions/:id', (ctx) => ({
      status: 200,
      body: { action: actionJson(findAction([...ctx.project.actions.values()], ctx.params.id)) },
    }))
}
