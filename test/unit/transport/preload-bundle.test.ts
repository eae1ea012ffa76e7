import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from 'electron-vite'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * A sandboxed preload can require only 'electron' (and a few polyfilled built-ins) and must be
 * CommonJS. This builds the preload from the real electron.vite.config.ts into a temp dir (so the
 * test needs no prior `npm run build` and tests today's source) and reads what would ship.
 */
describe('preload bundle', () => {
  let outDir: string
  let code: string

  beforeAll(async () => {
    const resolved = await resolveConfig(
      { configFile: 'electron.vite.config.ts', logLevel: 'silent' },
      'build',
      'production',
    )
    const preload = resolved.config?.preload
    if (!preload) throw new Error('electron.vite.config.ts has no preload config')
    outDir = await mkdtemp(join(tmpdir(), 'cairn-preload-'))
    await build({
      ...preload,
      configFile: false,
      logLevel: 'silent',
      build: { ...preload.build, outDir, emptyOutDir: true },
    })
    expect(await readdir(outDir)).toEqual(['index.cjs'])
    code = await readFile(join(outDir, 'index.cjs'), 'utf8')
  }, 60_000)
  afterAll(() => rm(outDir, { recursive: true, force: true }))

  it('is CommonJS', () => {
    expect(code).not.toMatch(/^\s*(import|export)\s/m)
    expect(code).not.toMatch(/\bimport\(/)
  })

  it("requires nothing but 'electron'", () => {
    const required = [...code.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1])
    expect(required).toEqual(['electron'])
    expect(code).not.toMatch(/require\(\s*[^"'`\s]/)
  })

  it('exposes one object, and no raw IPC', () => {
    const exposed = [...code.matchAll(/exposeInMainWorld\(\s*["'`]([^"'`]+)["'`]/g)].map(
      (m) => m[1],
    )
    expect(exposed).toEqual(['cairnTransport'])
    expect(code).not.toMatch(
      /\bsendSync\b|ipcRenderer\.send\(|exposeInMainWorld\([^)]*ipcRenderer\s*\)/,
    )
  })
})
