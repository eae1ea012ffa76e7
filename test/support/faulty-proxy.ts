import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { cloudInfo } from './cloud-info'

/**
 * What the proxy does with one incoming connection:
 * - 'pass': forwards both ways;
 * - 'drop': closes it when the first bytes arrive (a dropped connection);
 * - 'slowdown': answers HTTP 503 SlowDown (S3's "reduce your request rate") and closes;
 * - 'error500': answers HTTP 500 InternalError and closes;
 * - 'hang': accepts and never answers (a time-out);
 * - { cutAfterBytes }: forwards, then destroys both sides once that many bytes went through
 *   (a connection dying in the middle of a transfer).
 */
export type ProxyFault =
  'pass' | 'drop' | 'slowdown' | 'error500' | 'hang' | { cutAfterBytes: number }

export interface FaultyProxy {
  host: string
  port: number
  /** http://host:port, for an S3 endpoint. */
  endpoint: string
  /** Connections accepted so far. */
  connections(): number
  /** Replaces the plan for connections accepted from now on. */
  setPlan(plan: (n: number) => ProxyFault): void
  /** Destroys every open connection now (the link dies under whatever runs on it). */
  cutAll(): void
  close(): Promise<void>
}

function httpError(status: string, code: string, message: string): string {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
  return `HTTP/1.1 ${status}\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
}

/** A TCP proxy on 127.0.0.1 in front of `target` that misbehaves as `plan` says per connection. */
export async function faultyProxy(
  target: { host: string; port: number },
  plan: (n: number) => ProxyFault,
): Promise<FaultyProxy> {
  let n = 0
  let current = plan
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    const mode = current(n++)
    if (mode === 'drop') return void client.once('data', () => client.destroy())
    if (mode === 'hang') return void client.on('data', () => {})
    if (mode === 'slowdown' || mode === 'error500') {
      return void client.once('data', () => {
        client.end(
          mode === 'slowdown'
            ? httpError('503 Slow Down', 'SlowDown', 'Please reduce your request rate.')
            : httpError(
                '500 Internal Server Error',
                'InternalError',
                'We encountered an internal error.',
              ),
        )
      })
    }
    const upstream = createConnection({ host: target.host, port: target.port })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    if (typeof mode === 'object') {
      let left = mode.cutAfterBytes
      const count = (chunk: Buffer) => {
        left -= chunk.length
        if (left <= 0) {
          client.destroy()
          upstream.destroy()
        }
      }
      client.on('data', count)
      upstream.on('data', count)
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    host: '127.0.0.1',
    port,
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => n,
    setPlan: (next) => {
      current = next
    },
    cutAll: () => {
      for (const s of sockets) s.destroy()
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

/** A faulty proxy in front of the local cloud's s3rver. */
export function faultyS3Proxy(plan: (n: number) => ProxyFault): Promise<FaultyProxy> {
  const target = new URL(cloudInfo().s3.endpoint)
  return faultyProxy({ host: target.hostname, port: Number(target.port) }, plan)
}
