import { spawn } from 'node:child_process'
import { build } from 'esbuild'
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { compareKeys } from '../../../src/main/core/storage/keys'

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

async function collect(iterable: AsyncIterable<{ key: string }>): Promise<string[]> {
  const keys: string[] = []
  for await (const item of iterable) keys.push(item.key)
  return keys
}

describe('FolderStore', () => {
  let root: string
  let store: FolderStore
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-folder-'))
    store = new FolderStore(root)
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('stores objects as files under the root and reads them back, whole or by range', async () => {
    await store.put('packs/ab/cdef', bytes('hello world'))
    expect(await readFile(join(root, 'packs', 'ab', 'cdef'), 'utf8')).toBe('hello world')
    expect(text(await store.get('packs/ab/cdef'))).toBe('hello world')
    expect(text(await store.get('packs/ab/cdef', { range: { offset: 6, length: 5 } }))).toBe(
      'world',
    )
    expect(text(await store.get('packs/ab/cdef', { range: { offset: 6, length: 50 } }))).toBe(
      'world',
    )
    expect(await store.head('packs/ab/cdef')).toMatchObject({ key: 'packs/ab/cdef', size: 11 })
    expect(await store.head('packs/none')).toBeNull()
    await expect(store.get('packs/none')).rejects.toMatchObject({ code: 'not_found' })
    await store.delete('packs/ab/cdef')
    await store.delete('packs/ab/cdef') // absent: not an error
    expect(await store.head('packs/ab/cdef')).toBeNull()
    expect(store.requests).toMatchObject({
      put: 1,
      get: 4,
      head: 3,
      delete: 2,
      bytesUp: 11,
      bytesDown: 21,
    })
  })

  it('overwrites atomically: concurrent readers only ever see a complete version', async () => {
    const versions = Array.from({ length: 20 }, (_, i) =>
      bytes(String.fromCharCode(97 + i).repeat(50_000 + i * 7919)),
    )
    await store.put('obj', versions[0]!)
    let writing = true
    const writer = (async () => {
      for (let round = 0; round < 3; round++) for (const v of versions) await store.put('obj', v)
      writing = false
    })()
    const seen = new Set<number>()
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const got = await store.get('obj')
        const match = versions.findIndex((v) => Buffer.from(v).equals(Buffer.from(got)))
        expect(match).toBeGreaterThanOrEqual(0)
        seen.add(match)
      }
    })
    await Promise.all([writer, ...readers])
    expect(seen.size).toBeGreaterThan(1)
    // No temp files are left behind or listed.
    expect(await readdir(join(root, '.cairn-tmp'))).toEqual([])
    expect(await collect(store.list(''))).toEqual(['obj'])
  })

  it('create-only: of many concurrent creators exactly one wins and its bytes are stored', async () => {
    for (let key = 0; key < 10; key++) {
      const results = await Promise.allSettled(
        Array.from({ length: 32 }, (_, i) =>
          store.put(`race/${key}`, bytes(`writer ${i}`), { createOnly: true }),
        ),
      )
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
      expect(winners).toHaveLength(1)
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' })
      }
      expect(text(await store.get(`race/${key}`))).toBe(`writer ${winners[0]}`)
    }
  })

  it('create-only is exclusive across processes too', async () => {
    const script = resolve(__dirname, 'fixtures/folder-create-only-racer.ts')
    const racers = 4
    const keys = 15
    const outputs = await Promise.all(
      Array.from(
        { length: racers },
        (_, i) =>
          new Promise<string>((done, fail) => {
            const child = spawn(
              process.execPath,
              ['--import', 'tsx', script, root, String(i), String(keys)],
              {
                stdio: ['ignore', 'pipe', 'inherit'],
              },
            )
            let out = ''
            child.stdout.on('data', (d: Buffer) => (out += d.toString()))
            child.on('exit', (code) =>
              code === 0 ? done(out) : fail(new Error(`racer exited ${code}`)),
            )
          }),
      ),
    )
    const wins = outputs.map((o) => JSON.parse(o) as number[])
    for (let key = 0; key < keys; key++) {
      const winners = wins.flatMap((w, racer) => (w.includes(key) ? [racer] : []))
      expect(winners).toHaveLength(1)
      expect(text(await store.get(`race/${key}`))).toBe(`racer ${winners[0]}`)
    }
  }, 60_000)

  it('rejects keys that could escape the root or differ between systems', async () => {
    const bad = [
      '',
      '..',
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a\\b',
      'a\0b',
      'a//b',
      'a/./b',
      'a/',
      'C:/x',
      '.cairn-tmp/x',
    ]
    for (const key of bad) {
      await expect(store.put(key, bytes('x')), key).rejects.toMatchObject({ code: 'invalid_input' })
      if (key !== '.cairn-tmp/x')
        await expect(store.get(key), key).rejects.toMatchObject({ code: 'invalid_input' })
    }
    expect(await readdir(root)).toEqual(expect.not.arrayContaining(['x']))
  })

  it('lists recursively in the byte order S3 uses, filtered by prefix', async () => {
    const keys = ['b', 'a/y/z', 'a-b', 'a/x', 'a0', 'a/x0', 'ab/c', 'é', 'z/€', 'a/y/a']
    for (const k of keys) await store.put(k, bytes(k))
    const sorted = [...keys].sort(compareKeys)
    expect(await collect(store.list(''))).toEqual(sorted)
    expect(await collect(store.list('a/'))).toEqual(sorted.filter((k) => k.startsWith('a/')))
    expect(await collect(store.list('a'))).toEqual(sorted.filter((k) => k.startsWith('a')))
    expect(await collect(store.list('a/x'))).toEqual(['a/x', 'a/x0'])
    expect(await collect(store.list('none/'))).toEqual([])
  })

  it('says clearly when the folder does not exist or is not a folder', async () => {
    const missing = new FolderStore(join(root, 'nope'))
    await expect(missing.put('k', bytes('x'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('does not exist'),
    })
    await expect(collect(missing.list(''))).rejects.toMatchObject({ code: 'not_found' })
    await writeFile(join(root, 'file'), 'x')
    await expect(new FolderStore(join(root, 'file')).put('k', bytes('x'))).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringContaining('is not a folder'),
    })
  })

  it('says clearly when the folder is not writable', async () => {
    const ro = join(root, 'ro')
    await mkdir(ro)
    await chmod(ro, 0o555)
    try {
      // Root may write anywhere, so as root the store runs in a child that drops to nobody.
      const error = process.getuid?.() === 0 ? await putAsNobody(ro) : await putHere(ro)
      expect(error).toMatchObject({ code: 'forbidden', message: expect.stringContaining(ro) })
    } finally {
      await chmod(ro, 0o700)
    }
  })
})

async function putHere(dir: string): Promise<unknown> {
  return new FolderStore(dir).put('k', bytes('x')).then(
    () => null,
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  )
}

/**
 * Runs the put as user nobody. The store is bundled into the temp folder first: nobody may not
 * be able to read the checkout (CI clones into a private directory), only its own temp folder.
 */
async function putAsNobody(dir: string): Promise<unknown> {
  const root = dirname(dir)
  await chmod(root, 0o755)
  const entry = join(root, 'put.ts')
  const bundle = join(root, 'put.mjs')
  const store = resolve(import.meta.dirname, '../../../src/main/core/storage/folder-store.ts')
  await writeFile(
    entry,
    `import { FolderStore } from ${JSON.stringify(store)}\n` +
      `new FolderStore(${JSON.stringify(dir)}).put('k', new Uint8Array([1])).then(\n` +
      `  () => console.log('null'),\n` +
      `  (e) => console.log(JSON.stringify({ code: e.code, message: e.message })),\n)\n`,
  )
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  })
  await chmod(bundle, 0o644)
  const child = spawn(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bundle],
    { env: { ...process.env, HOME: root }, cwd: root },
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>((done) => child.on('exit', done))
  expect(code, err).toBe(0)
  return JSON.parse(out.trim())
}
