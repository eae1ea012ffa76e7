import { readFile, realpath } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import { protocol, type Protocol } from 'electron'
import { APP_CSP } from '../../shared/csp'
import { contentTypeFor, staticRelativePath } from '../../shared/static-files'
import { APP_ORIGIN, APP_SCHEME, originOf } from '../../shared/app-location'

/** Must run before the app is ready: gives `cairn://` a real, secure origin. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

const headers = {
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
}

/**
 * Serves the built renderer on `cairn://app/`, with the same path rules as the headless host
 * (src/shared/static-files.ts) and the real path checked to stay inside `rendererDir`.
 */
export function serveAppProtocol(target: Protocol, rendererDir: string): void {
  const rootPromise = realpath(rendererDir)
  target.handle(APP_SCHEME, async (request) => {
    const relative =
      originOf(request.url) === APP_ORIGIN
        ? staticRelativePath(new URL(request.url).pathname)
        : null
    if (relative === null || request.method !== 'GET') return notFound()
    const root = await rootPromise
    const file = await realpath(resolve(root, relative)).catch(() => null)
    if (file === null || !file.startsWith(root + sep)) return notFound()
    const body = await readFile(file).catch(() => null)
    if (body === null) return notFound()
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { ...headers, 'Content-Type': contentTypeFor(relative) },
    })
  })
}

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
  })
}
