import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { VmBackend } from '../vm/manager'
import { addCatalogRoutes } from './catalog-routes'
import type { HetznerControl, Projects } from './control'
import type { HetznerControlApi } from './control-types'
import { ApiError, apiError, unauthorized } from './errors'
import type { Project } from './project'
import { Router } from './router'
import type { Reply } from './router'
import { addServerRoutes } from './server-routes'
import { addSshKeyRoutes } from './ssh-key-routes'

const MAX_BODY = 1024 * 1024

// Control methods callable over HTTP: POST /__control/<method> {"args":[...]} -> {"result":...}.
const CONTROL_METHODS = new Set<keyof HetznerControlApi>([
  'createProject',
  'inject',
  'clearFaults',
  'setActionDuration',
  'setBootDelay',
  'failActions',
  'holdInitializing',
  'release',
  'withoutSsh',
  'setRateLimit',
  'vms',
  'reset',
])

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(apiError('invalid_input', 'request body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers)
    res.end()
    return
  }
  const text = JSON.stringify(reply.body)
  headers['Content-Type'] = 'application/json'
  headers['Content-Length'] = String(Buffer.byteLength(text))
  res.writeHead(reply.status, headers)
  res.end(text)
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return m?.[1]
}

export interface ApiServerOptions {
  host: string
  port: number
  controlToken: string
  projects: Projects
  control: HetznerControl
  vms: VmBackend
  log: (message: string) => void
}

export async function startApiServer(
  options: ApiServerOptions,
): Promise<{ origin: string; close(): Promise<void> }> {
  const { projects, control, vms, log } = options
  const router = new Router()
  addCatalogRoutes(router)
  addSshKeyRoutes(router)
  addServerRoutes(router)
  // Requests without a valid token still count against a (shared) rate limit, as at Hetzner.
  const anonymous = projects.create()
  let origin = ''

  async function handleApi(req: IncomingMessage, url: URL): Promise<Reply> {
    const path = url.pathname.slice('/v1'.length) || '/'
    const token = bearer(req)
    const project: Project | undefined = token === undefined ? undefined : projects.withToken(token)
    const limiter = project ?? anonymous
    const withRate = (reply: Reply, empty = false): Reply => ({
      ...reply,
      headers: { ...limiter.rateHeaders(empty), ...(reply.headers ?? {}) },
    })
    const errorReply = (e: ApiError): Reply =>
      withRate(
        { status: e.status, body: e.body(), headers: e.headers },
        e.code === 'rate_limit_exceeded',
      )

    if (!limiter.consume()) return errorReply(apiError('rate_limit_exceeded'))
    if (!project || project === anonymous) return errorReply(unauthorized())
    const fault = project.takeFault(req.method ?? 'GET', path)
    if (fault) {
      // The body is read anyway so the client is not cut off mid-upload.
      await readBody(req).catch(() => '')
      return errorReply(fault)
    }
    const match = router.match(req.method ?? 'GET', path)
    if (match === undefined) return errorReply(apiError('not_found', 'not found'))
    if (match === 'wrong-method') return errorReply(apiError('not_found', 'not found'))
    try {
      let body: unknown = undefined
      if (req.method === 'POST' || req.method === 'PUT') {
        const text = await readBody(req)
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text)
          } catch {
            throw apiError('json_error', 'invalid JSON in request body')
          }
        } else {
          body = {}
        }
      }
      const reply = await match.handler({
        project,
        params: match.params,
        query: url.searchParams,
        body,
        vms,
        url: `${origin}${url.pathname}`,
        log,
      })
      return withRate(reply)
    } catch (error) {
      if (error instanceof ApiError) return errorReply(error)
      log(`internal error on ${req.method} ${url.pathname}: ${(error as Error).stack ?? error}`)
      return errorReply(apiError('server_error', 'internal server error'))
    }
  }

  async function handleControl(req: IncomingMessage, url: URL): Promise<Reply> {
    if (bearer(req) !== options.controlToken) {
      return {
        status: 401,
        body: { error: { code: 'unauthorized', message: 'control token required', details: {} } },
      }
    }
    const method = url.pathname.slice('/__control/'.length) as keyof HetznerControlApi
    if (req.method !== 'POST' || !CONTROL_METHODS.has(method)) {
      return {
        status: 404,
        body: {
          error: { code: 'not_found', message: `no control method '${method}'`, details: {} },
        },
      }
    }
    try {
      const text = await readBody(req)
      const parsed = (text.trim() === '' ? {} : JSON.parse(text)) as { args?: unknown[] }
      const args = Array.isArray(parsed.args) ? parsed.args : []
      const fn = control[method] as (...a: unknown[]) => Promise<unknown>
      const result = await fn.apply(control, args)
      return { status: 200, body: { result: result ?? null } }
    } catch (error) {
      return {
        status: 400,
        body: { error: { code: 'invalid_input', message: (error as Error).message, details: {} } },
      }
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local')
    const work = url.pathname.startsWith('/__control/')
      ? handleControl(req, url)
      : url.pathname === '/v1' || url.pathname.startsWith('/v1/')
        ? handleApi(req, url)
        : Promise.resolve<Reply>({ status: 404, body: apiError('not_found', 'not found').body() })
    work.then(
      (reply) => send(res, reply),
      (error: unknown) => {
        log(`request failed: ${(error as Error).message}`)
        send(res, { status: 500, body: apiError('server_error', 'internal server error').body() })
      },
    )
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  origin = `http://${options.host}:${address.port}`
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
