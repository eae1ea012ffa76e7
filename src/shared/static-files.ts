/**
 * Shared by both hosts, which serve the same built renderer: the Electron shell through its
 * `cairn://` protocol, the headless host over HTTP. Pure string work (no Node), so the rules for
 * what may be served are written once.
 */

/**
 * The path of a request, relative to the renderer's root, or null when it must be refused.
 * Every segment is decoded and checked on its own, so `..`, `%2e%2e`, `..%2f` and `%5c` cannot
 * climb out of the root; dot files and directories (no listing) are refused too.
 */
export function staticRelativePath(requestPath: string): string | null {
  const path = requestPath.split(/[?#]/, 1)[0] ?? ''
  if (!path.startsWith('/')) return null
  if (path === '/') return 'index.html'
  const segments: string[] = []
  for (const raw of path.slice(1).split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return null
    }
    if (segment === '' || segment.startsWith('.')) return null
    if (/[/\\\0:]/.test(segment)) return null
    segments.push(segment)
  }
  return segments.join('/')
}

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
  webmanifest: 'application/manifest+json',
}

/** Unknown types are served as opaque bytes, which with `nosniff` a browser will not execute. */
export function contentTypeFor(relativePath: string): string {
  const dot = relativePath.lastIndexOf('.')
  const ext = dot === -1 ? '' : relativePath.slice(dot + 1).toLowerCase()
  return contentTypes[ext] ?? 'application/octet-stream'
}
