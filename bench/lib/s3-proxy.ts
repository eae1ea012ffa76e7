/**
 * A counting HTTPS proxy in front of the local S3 (s3rver): it forwards every request unchanged (the
 * Host header stays as signed, so SigV4 still verifies) and counts requests by kind and bytes in
 * each direction. restic reports no request counts of its own, so both tools are measured through
 * the same proxy, which also cross-checks Cairn's own S3Store counters.
 *
 * Why TLS: over plain HTTP restic's S3 client (minio-go) signs PUT bodies with the streaming
 * `aws-chunked` encoding, which s3rver stores verbatim (chunk headers and all), so restic cannot
 * read its own repository back. Over HTTPS it sends ordinary bodies, as it does against R2. TLS on
 * the path is also what both tools pay against a real service.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import { promisify } from 'node:util'
import type { AddressInfo } from 'node:net'

export interface ProxyCounts {
  put: number
  get: number
  head: number
  list: number
  delete: number
  post: number
  bytesUp: number
  bytesDown: number
}

export const emptyProxyCounts = (): ProxyCounts => ({
  put: 0,
  get: 0,
  head: 0,
  list: 0,
  delete: 0,
  post: 0,
  bytesUp: 0,
  bytesDown: 0,
})

export interface S3Proxy {
  /** https://127.0.0.1:PORT */
  endpoint: string
  /** PEM file of the proxy's self-signed certificate (restic --cacert, NODE_EXTRA_CA_CERTS). */
  caFile: string
  /** Counts since the last reset. */
  counts(): ProxyCounts
  reset(): void
  /** Every request line since the last reset (only with `log: true`). */
  log: string[]
  close(): Promise<void>
}

/** A GET of a bucket (path `/bucket` or `/bucket/` with a query) is a LIST, as S3 bills it. */
function kindOf(method: string, url: string): keyof ProxyCounts {
  const [path = '', query = ''] = url.split('?')
  const segments = path.split('/').filter(Boolean)
  if (method === 'GET') {
    if (
      segments.length <= 1 &&
      (query.includes('list-type') || query.includes('prefix') || query === '')
    )
      return 'list'
    return 'get'
  }
  if (method === 'PUT') return 'put'
  if (method === 'HEAD') return 'head'
  if (method === 'DELETE') return 'delete'
  return 'post'
}

/** A self-signed certificate for 127.0.0.1 (Go wants the address in subjectAltName). */
async function selfSignedCert(dir: string): Promise<{ key: string; cert: string; caFile: string }> {
  const keyFile = path.join(dir, 'proxy-key.pem')
  const caFile = path.join(dir, 'proxy-cert.pem')
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-days',
    '3',
    '-keyout',
    keyFile,
    '-out',
    caFile,
  ])
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(caFile, 'utf8'), caFile }
}

/** `dir` receives the certificate files. */
export async function startS3Proxy(
  target: string,
  dir: string,
  options: { log?: boolean } = {},
): Promise<S3Proxy> {
  const upstream = new URL(target)
  const tls = await selfSignedCert(dir)
  let counts = emptyProxyCounts()
  const log: string[] = []
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const kind = kindOf(method, url)
    ;(counts[kind] as number)++
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: url,
        headers: req.headers,
        agent,
      },
      (upRes) => {
        if (options.log) log.push(`${method} ${url} -> ${upRes.statusCode}`)
        res.writeHead(upRes.statusCode ?? 502, upRes.headers)
        upRes.on('data', (d: Buffer) => (counts.bytesDown += d.length))
        upRes.pipe(res)
      },
    )
    up.on('error', () => res.destroy())
    req.on('data', (d: Buffer) => (counts.bytesUp += d.length))
    req.pipe(up)
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `https://127.0.0.1:${port}`,
    caFile: tls.caFile,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = emptyProxyCounts()
      log.length = 0
    },
    log,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
