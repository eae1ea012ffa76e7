import { access } from 'node:fs/promises'
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import {
  HEADLESS_MAX_MESSAGE_BYTES,
  HEADLESS_SESSION_PATH,
  HEADLESS_TOKEN_HASH_PARAM,
  HEADLESS_WS_PATH,
  HEADLESS_WS_PROTOCOL,
} from '../../shared/headless'
import type { ErrorReporter } from '../core/api/dispatch'
import { createCore, type Core, type CoreWithServices } from '../core/app'
import { workspaceOptionsFromEnv } from '../core/workspaces/env-options'
import {
  createAccessToken,
  hasValidBearerToken,
  hasValidProtocolToken,
  isAllowedHost,
  isSameOrigin,
  securityHeaders,
} from './security'
import { createStaticHandler, sendText } from './static-files'
import { fanOutEvents, serveSocket } from './ws-api'

export interface HostOptions {
  /** The data directory of the core the host creates; unused when `core` is given. */
  dataDir: string
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  /** The built renderer, normally out/renderer. */
  rendererDir: string
  /** A core to serve. Without one the host creates its own and disposes it on close. */
  core?: Core
  /** Passed to createCore when the host creates the core. */
  version?: string
  /** Called with errors that became `internal`; the default logs the method and error name. */
  reportError?: ErrorReporter
}

export interface RunningHost {
  /** The URL to open: `http://127.0.0.1:PORT/#token=…`. It grants full access to this run. */
  url: string
  token: string
  port: number
  close(): Promise<void>
}

/**
 * The headless host: the built renderer over HTTP and the contract over a WebSocket, on
 * 127.0.0.1 only. See docs/security.md for the threat model behind each check.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  await access(join(options.rendererDir, 'index.html')).catch(() => {
    throw new Error(
      `The renderer is not built (no index.html in ${options.rendererDir}); run \`npm run build\`.`,
    )
  })
  const serveStatic = await createStaticHandler(options.rendererDir)
  const token = createAccessToken()
  const ownsCore = options.core === undefined
  const core =
    options.core ??
    (await createCore({
      dataDir: options.dataDir,
      host: 'headless',
      version: options.version ?? '0.0.0',
      workspaces: workspaceOptionsFromEnv(process.env),
    }))
  const reportError = options.reportError ?? reporterFor(core)

  let port = 0
  const server = createServer((req, res) => {
    const headers = securityHeaders(port)
    if (!isAllowedHost(req, port)) return sendText(res, 403, 'Forbidden', headers)
    const path = pathOf(req)
    if (path === HEADLESS_SESSION_PATH) {
      const valid = req.method === 'GET' && hasValidBearerToken(req, token)
      res.writeHead(valid ? 204 : 401, { ...headers, 'Cache-Control': 'no-store' })
      return void res.end()
    }
    if (path === HEADLESS_WS_PATH) return sendText(res, 426, 'WebSocket only', headers)
    serveStatic(req, res, headers).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error', headers)
      else res.destroy()
    })
  })

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HEADLESS_MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (offered) =>
      offered.has(HEADLESS_WS_PROTOCOL) ? HEADLESS_WS_PROTOCOL : false,
  })
  wss.on('connection', (ws) => serveSocket(ws, core.handlers, reportError))

  // Every check happens before the upgrade, so an unauthenticated peer never gets a WebSocket.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (pathOf(req) !== HEADLESS_WS_PATH) return refuse(socket, 404)
    if (!isAllowedHost(req, port) || !isSameOrigin(req, port)) return refuse(socket, 403)
    if (!hasValidProtocolToken(req, token)) return refuse(socket, 401)
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  server.on('clientError', (_error, socket) => refuse(socket, 400))

  const unsubscribe = fanOutEvents(core.events, () => wss.clients, reportError)

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    unsubscribe()
    if (ownsCore) await core.dispose()
    throw error
  }
  port = (server.address() as AddressInfo).port

  let closing: Promise<void> | null = null
  const close = () =>
    (closing ??= (async () => {
      unsubscribe()
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (ownsCore) await core.dispose()
    })())

  return {
    url: `http://127.0.0.1:${port}/#${HEADLESS_TOKEN_HASH_PARAM}=${token}`,
    token,
    port,
    close,
  }
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?', 1)[0] ?? ''
}

function refuse(socket: Duplex, status: number): void {
  if (!socket.writable) return void socket.destroy()
  const text = STATUS_CODES[status] ?? 'Error'
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  )
}

/**
 * The core's log (redacted) when it has one; otherwise stderr with the method and the kind of
 * error only, since a message may hold a secret.
 */
function reporterFor(core: Core): ErrorReporter {
  if ('logger' in core) {
    const { logger } = core as CoreWithServices
    return (method, error) => logger.error(`unexpected error in ${method}`, error)
  }
  return (method, error) => {
    const name = error instanceof Error ? error.name : typeof error
    process.stderr.write(`cairn: unexpected ${name} in ${method}\n`)
  }
}
