import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolve, sep } from 'node:path'
import { contentTypeFor, staticRelativePath } from '../../shared/static-files'

export type StaticHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
) => Promise<void>

/**
 * Serves the built renderer: files only (no directory listing), nothing outside `rootDir` (the
 * request path is checked segment by segment, then the real path of the file is checked again
 * so a symlink cannot lead out either).
 */
export async function createStaticHandler(rootDir: string): Promise<StaticHandler> {
  const root = await realpath(rootDir)
  return async (req, res, headers) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed', { ...headers, Allow: 'GET, HEAD' })
    }
    const relative = staticRelativePath(req.url ?? '')
    const file = relative === null ? null : await insideRoot(root, resolve(root, relative))
    const info = file === null ? null : await stat(file).catch(() => null)
    if (relative === null || file === null || !info?.isFile()) {
      return sendText(res, 404, 'Not found', headers)
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': contentTypeFor(relative),
      'Content-Length': String(info.size),
      'Cache-Control': 'no-cache',
    })
    if (req.method === 'HEAD') return void res.end()
    const stream = createReadStream(file)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }
}

async function insideRoot(root: string, candidate: string): Promise<string | null> {
  if (!candidate.startsWith(root + sep)) return null
  const real = await realpath(candidate).catch(() => null)
  return real !== null && real.startsWith(root + sep) ? real : null
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}
