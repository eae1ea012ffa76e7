import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHost, type RunningHost } from '../../../src/main/host/server'
import { ConnectionStatusStore } from '../../../src/shared/connection-status'
import {
  createWsTransport,
  UNAUTHORIZED_MESSAGE,
  type SocketFactory,
  type WsTransport,
} from '../../../src/shared/ws-client'
import { RemoteCallError } from '../../../src/shared/errors'
import { createClient } from '../../../src/shared/rpc'
import { fakeCore, fakeRenderer } from '../host/fixtures'

/** Connects with the `ws` package the way a page served by `origin` would. */
function socketFactory(origin: string): SocketFactory {
  return (url, protocols, on) => {
    const host = origin.replace(/^http:\/\//, '')
    const ws = new WebSocket(url, protocols, { origin, headers: { Host: host } })
    ws.onopen = () => on.open()
    ws.onmessage = (event) => on.message(event.data)
    ws.onclose = () => on.close()
    ws.onerror = () => {}
    return ws
  }
}

function nextState(status: ConnectionStatusStore, state: string): Promise<void> {
  return new Promise((resolve) => {
    const off = status.subscribe((s) => {
      if (s.state !== state) return
      queueMicrotask(() => off())
      resolve()
    })
  })
}

/** A TCP relay, so a test can cut the network under an open WebSocket. */
async function relay(targetPort: number): Promise<{ port: number; cut(): void; close(): void }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = netConnect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const cut = () => {
    for (const s of sockets) s.destroy()
  }
  return { port, cut, close: () => (cut(), server.close()) }
}

describe('browser transport against a real headless host', () => {
  let release: () => void = () => {}
  const core = fakeCore({
    'jobs.list': () => new Promise((resolve) => (release = () => resolve([]))),
  })
  let host: RunningHost
  let renderer: Awaited<ReturnType<typeof fakeRenderer>>
  let transport: WsTransport | null = null

  beforeAll(async () => {
    renderer = await fakeRenderer()
    host = await startHost({ dataDir: '/x', rendererDir: renderer.dir, core })
  })
  afterAll(async () => {
    await host.close()
    await renderer.cleanup()
  })
  afterEach(() => transport?.close())

  const origin = () => `http://127.0.0.1:${host.port}`
  const open = (token: string | null, url = `ws://127.0.0.1:${host.port}/api`) => {
    const status = new ConnectionStatusStore()
    transport = createWsTransport({
      url,
      token,
      status,
      createSocket: socketFactory(origin()),
      checkToken: async () => {
        const res = await fetch(`${origin()}/api/session`, {
          headers: { Authorization: `Bearer ${token}` },
        })
        return res.status === 204 ? true : res.status === 401 ? false : null
      },
      backoff: { initialMs: 10, maxMs: 50 },
    })
    return { api: createClient(transport), status }
  }

  it('queues calls made before the socket opens, then answers them', async () => {
    const { api, status } = open(host.token)
    expect(status.get().state).toBe('connecting')
    const [info, again] = await Promise.all([api['app.info']({}), api['app.info']({})])
    expect(info).toEqual({ version: '9.9.9', host: 'headless', platform: 'test' })
    expect(again).toEqual(info)
    expect(status.get()).toEqual({ state: 'open', message: null })
  })

  it('rejects with a RemoteCallError that keeps the code', async () => {
    const { api } = open(host.token)
    const error = await api['jobs.cancel']({ id: '' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteCallError)
    expect((error as RemoteCallError).code).toBe('invalid_input')
  })

  it('delivers core events to listeners', async () => {
    const { api } = open(host.token)
    await api['app.info']({})
    const received = new Promise((resolve) => api.on('settings.changed', resolve))
    const settings = {
      hetznerApiBase: 'http://127.0.0.1:1/v1',
      storage: null,
      preferences: {
        notificationLevel: 'all' as const,
        launchAtLogin: false,
        defaultIdleTimeoutMinutes: 30,
      },
      hasHetznerToken: false,
      hasStorageSecret: false,
    }
    core.events.emit('settings.changed', settings)
    expect(await received).toEqual(settings)
  })

  it('reports unauthorized for a wrong token, fails calls clearly and stops retrying', async () => {
    const { api, status } = open('A'.repeat(43))
    const error = (await api['app.info']({}).catch((e: unknown) => e)) as RemoteCallError
    expect(error.code).toBe('unauthorized')
    expect(error.message).toMatch(/link the host printed/)
    expect(status.get()).toEqual({ state: 'unauthorized', message: UNAUTHORIZED_MESSAGE })
    await expect(api['app.info']({})).rejects.toMatchObject({ code: 'unauthorized' })
  })

  it('reports unauthorized at once without a token', async () => {
    const { api, status } = open(null)
    expect(status.get().state).toBe('unauthorized')
    await expect(api['app.info']({})).rejects.toMatchObject({ code: 'unauthorized' })
  })

  it('fails pending calls as unreachable when the link drops, then reconnects', async () => {
    const net = await relay(host.port)
    try {
      const { api, status } = open(host.token, `ws://127.0.0.1:${net.port}/api`)
      await api['app.info']({})
      const pending = api['jobs.list']({}).catch((e: unknown) => e)
      await new Promise((r) => setTimeout(r, 50))
      const closed = nextState(status, 'closed')
      net.cut()
      const error = (await pending) as RemoteCallError
      expect(error.code).toBe('unreachable')
      expect(error.message).toMatch(/connection to Cairn was lost/)
      await closed
      await nextState(status, 'open')
      expect(await api['app.info']({})).toMatchObject({ host: 'headless' })
    } finally {
      release()
      net.close()
    }
  })

  it('fails calls as unreachable while the host is down, and keeps retrying', async () => {
    const renderer2 = await fakeRenderer()
    const gone = await startHost({ dataDir: '/x', rendererDir: renderer2.dir, core: fakeCore() })
    const port = gone.port
    await gone.close()
    const status = new ConnectionStatusStore()
    transport = createWsTransport({
      url: `ws://127.0.0.1:${port}/api`,
      token: gone.token,
      status,
      createSocket: socketFactory(`http://127.0.0.1:${port}`),
      checkToken: async () => null,
      backoff: { initialMs: 10, maxMs: 20 },
    })
    const api = createClient(transport)
    const error = (await api['app.info']({}).catch((e: unknown) => e)) as RemoteCallError
    expect(error.code).toBe('unreachable')
    expect(status.get().state).toBe('closed')
    expect(status.get().message).toMatch(/not reachable/)
    await renderer2.cleanup()
  })
})
