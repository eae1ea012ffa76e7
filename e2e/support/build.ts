import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
export const RENDERER_DIR = join(ROOT, 'out/renderer')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    if (mtime > newest) newest = mtime
  }
  return newest
}

/**
 * The e2e tests serve the built renderer (out/renderer), exactly what ships. `npm test` builds
 * before it runs them; run on their own (`npx vitest run --project e2e`), they build here when the
 * build is missing or older than the renderer or contract sources.
 */
export function ensureRendererBuilt(): void {
  const index = join(RENDERER_DIR, 'index.html')
  const sources = Math.max(
    newestMtime(join(ROOT, 'src/renderer')),
    newestMtime(join(ROOT, 'src/shared')),
  )
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return
  execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  })
}
