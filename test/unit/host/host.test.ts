import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHost, type RunningHost } from '../../../src/main/host/server'
import { headlessCsp } from '../../../src/shared/csp'
import { fakeCore, fakeRenderer, SECRET } from './fixtures'

interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw request: the path goes out exactly as written (no URL normalisation by the client). */
function raw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

type Opened = { ws: WebSocket } | { status: number }

function connect(
  port: number,
  opts: { token?: string; origin?: string | null; host?: string; protocols?: string[] },
): Promise<Opened> {
  const protocols = opts.protocols ?? ['cairn.v1', `cairn.v1.${opts.token}`]
  const headers: Record<string, string> = {}
  if (opts.host) headers.Host = opts.host
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, {
    headers,
    ...(opts.origin === null ? {} : { origin: opts.origin ?? `http://127.0.0.1:${port}` }),
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }))
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 })
      ws.terminate()
    })
    ws.once('error', (e) => reject(e))
  })
}

function opened(result: Opened): WebSocket {
  if (!('ws' in result)) throw new Error(`expected the socket to open, got ${result.status}`)
  return result.ws
}

/** Sends raw text and resolves with the next message. */
function exchange(ws: WebSocket, text: string | Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>))
    ws.send(text)
  })
}

describe('headless host', () => {
  const core = fakeCore()
  let host: RunningHost
  let renderer: Awaited<ReturnType<typeof fakeRenderer>>
  const errors: string[] = []

  beforeAll(async () => {
    renderer = await fakeRenderer()
    host = await startHost({
      dataDir: '/nonexistent',
      rendererDir: renderer.dir,
      core,
      reportError: (method) => errors.push(method),
    })
  })
  afterAll(async () => {
    await host.close()
    await renderer.cleanup()
  })

  it('prints a 127.0.0.1 URL with a 256-bit token in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`)
    expect(Buffer.from(host.token, 'base64url')).toHaveLength(32)
  })

  describe('WebSocket handshake', () => {
    it('refuses a wrong token before the upgrade', async () => {
      expect(await connect(host.port, { token: 'A'.repeat(43) })).toEqual({ status: 401 })
      expect(await connect(host.port, { protocols: ['cairn.v1'] })).toEqual({ status: 401 })
      expect(await connect(host.port, { protocols: [`cairn.v1.${host.token}`] })).toEqual({
        status: 401,
      })
    })

    it('refuses another origin with 403, even with the right token', async () => {
      for (const origin of [
        'http://evil.example',
        `http://127.0.0.1:${host.port + 1}`,
        `https://127.0.0.1:${host.port}`,
        'null',
        null,
      ]) {
        expect(await connect(host.port, { token: host.token, origin })).toEqual({ status: 403 })
      }
    })

    it('refuses a rebound Host header with 403', async () => {
      const origin = `http://evil.com:${host.port}`
      const result = await connect(host.port, {
        token: host.token,
        host: `evil.com:${host.port}`,
        origin,
      })
      expect(result).toEqual({ status: 403 })
    })

    it('accepts localhost:PORT with the matching origin and answers with cairn.v1 only', async () => {
      const ws = opened(
        await connect(host.port, {
          token: host.token,
          host: `localhost:${host.port}`,
          origin: `http://localhost:${host.port}`,
        }),
      )
      expect(ws.protocol).toBe('cairn.v1')
      ws.close()
    })
  })

  describe('calls', () => {
    let ws: WebSocket
    beforeAll(async () => {
      ws = opened(await connect(host.port, { token: host.token }))
    })
    afterAll(() => ws.close())

    const call = (id: number, method: string, input?: unknown) =>
      exchange(ws, JSON.stringify({ t: 'call', id, method, input }))

    it('runs a call through dispatch with host "headless"', async () => {
      expect(await call(1, 'app.info', {})).toEqual({
        t: 'result',
        id: 1,
        ok: true,
        output: { version: '9.9.9', host: 'headless', platform: 'test' },
      })
    })

    it('returns invalid_input for input the contract refuses', async () => {
      const reply = await call(2, 'jobs.cancel', { id: 42 })
      expect(reply).toMatchObject({ id: 2, ok: false, error: { code: 'invalid_input' } })
    })

    it('returns unknown_method for a method the contract lacks', async () => {
      const reply = await call(3, 'fs.readFile', { path: '/etc/passwd' })
      expect(reply).toMatchObject({ id: 3, ok: false, error: { code: 'unknown_method' } })
    })

    it('turns a plain Error into "internal" with no secret and no stack on the wire', async () => {
      const text = await new Promise<string>((resolve) => {
        ws.once('message', (data) => resolve(String(data)))
        ws.send(JSON.stringify({ t: 'call', id: 4, method: 'jobs.cancel', input: { id: 'x' } }))
      })
      expect(JSON.parse(text)).toMatchObject({ id: 4, ok: false, error: { code: 'internal' } })
      expect(text).not.toContain(SECRET)
      expect(text).not.toMatch(/at .*\.ts|stack/)
      expect(errors).toContain('jobs.cancel')
    })

    it('answers garbage with error results and keeps serving', async () => {
      expect(await exchange(ws, 'not json')).toMatchObject({
        t: 'result',
        id: -1,
        ok: false,
        error: { code: 'invalid_input' },
      })
      expect(await exchange(ws, JSON.stringify({ t: 'hello', id: 7 }))).toMatchObject({
        id: 7,
        ok: false,
        error: { code: 'invalid_input' },
      })
      expect(await exchange(ws, JSON.stringify(null))).toMatchObject({ id: -1, ok: false })
      expect(await exchange(ws, Buffer.from([1, 2, 3]))).toMatchObject({ id: -1, ok: false })
      expect(await call(8, 'app.info')).toMatchObject({ id: 8, ok: true })
    })

    it('closes a socket that sends more than the message limit, and stays up', async () => {
      const big = opened(await connect(host.port, { token: host.token }))
      const code = await new Promise<number>((resolve) => {
        big.once('close', (c) => resolve(c))
        big.send('x'.repeat(1024 * 1024 + 1))
      })
      expect(code).toBe(1009)
      expect(await call(9, 'app.info')).toMatchObject({ id: 9, ok: true })
    })

    it('fans core events out to every socket, parsed by the contract', async () => {
      const second = opened(await connect(host.port, { token: host.token }))
      const next = (socket: WebSocket) =>
        new Promise((resolve) => socket.once('message', (d) => resolve(JSON.parse(String(d)))))
      const both = Promise.all([next(ws), next(second)])
      const settings = {
        hetznerApiBase: 'https://api.hetzner.cloud/v1',
        storage: null,
        preferences: {
          notificationLevel: 'all',
          launchAtLogin: false,
          defaultIdleTimeoutMinutes: 30,
        },
        hasHetznerToken: true,
        hasStorageSecret: false,
      }
      // A field the contract does not declare must not reach the page.
      core.events.emit('settings.changed', { ...settings, token: SECRET } as never)
      const [a, b] = await both
      expect(a).toEqual({ t: 'event', event: 'settings.changed', payload: settings })
      expect(b).toEqual(a)
      second.close()
    })
  })

  describe('HTTP', () => {
    it('serves index.html for / with the security headers', async () => {
      const res = await raw(host.port, '/')
      expect(res.status).toBe(200)
      expect(res.body).toContain('<title>Cairn</title>')
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['content-security-policy']).toBe(headlessCsp(host.port))
      expect(res.headers['content-security-policy']).toContain(
        `connect-src 'self' ws://127.0.0.1:${host.port}`,
      )
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['x-frame-options']).toBe('DENY')
    })

    it('serves assets with their content type', async () => {
      const js = await raw(host.port, '/assets/app.js?v=1')
      expect(js.status).toBe(200)
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect((await raw(host.port, '/assets/app.css')).headers['content-type']).toBe(
        'text/css; charset=utf-8',
      )
    })

    it('404s missing files and directories (no listing), still with headers', async () => {
      for (const path of ['/missing.js', '/assets', '/assets/', '/index.html/']) {
        const res = await raw(host.port, path)
        expect(res.status, path).toBe(404)
        expect(res.headers['content-security-policy']).toBeDefined()
      }
    })

    it('refuses path traversal in every spelling', async () => {
      const paths = [
        '/../package.json',
        '/../secret.txt',
        '/assets/../../secret.txt',
        '/%2e%2e/secret.txt',
        '/%2E%2E/secret.txt',
        '/..%2fsecret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/..%5csecret.txt',
        '/%2e%2e%5csecret.txt',
        '/assets/%2e%2e/%2e%2e/secret.txt',
        '/assets/link.txt',
        '/.env',
        '//etc/passwd',
        '/%00',
        '/%',
        'secret.txt',
      ]
      for (const path of paths) {
        const res = await raw(host.port, path)
        expect(res.status, path).toBeGreaterThanOrEqual(400)
        expect(res.body, path).not.toContain(SECRET)
        expect(res.body, path).not.toContain('HIDDEN')
      }
    })

    it('refuses other methods and other Host headers', async () => {
      expect((await raw(host.port, '/', {}, 'POST')).status).toBe(405)
      expect((await raw(host.port, '/', { Host: `evil.com:${host.port}` })).status).toBe(403)
      expect((await raw(host.port, '/', { Host: '127.0.0.1' })).status).toBe(403)
      expect((await raw(host.port, '/', { Host: `localhost:${host.port}` })).status).toBe(200)
    })

    it('tells a page whether its token is valid, and nothing else', async () => {
      const check = (token: string) =>
        raw(host.port, '/api/session', { Authorization: `Bearer ${token}` })
      expect((await check(host.token)).status).toBe(204)
      expect((await check('wrong')).status).toBe(401)
      expect((await raw(host.port, '/api/session')).status).toBe(401)
      expect((await raw(host.port, '/api')).status).toBe(426)
    })
  })
})

describe('startHost', () => {
  it('refuses to start without a built renderer', async () => {
    await expect(
      startHost({ dataDir: '/nonexistent', rendererDir: '/nonexistent', core: fakeCore() }),
    ).rejects.toThrow(/npm run build/)
  })

  it('listens on the requested port and frees it on close', async () => {
    const renderer = await fakeRenderer()
    const first = await startHost({ dataDir: '/x', rendererDir: renderer.dir, core: fakeCore() })
    const port = first.port
    await first.close()
    const second = await startHost({
      dataDir: '/x',
      port,
      rendererDir: renderer.dir,
      core: fakeCore(),
    })
    expect(second.port).toBe(port)
    expect(second.token).not.toBe(first.token)
    await second.close()
    await renderer.cleanup()
  })
})
