import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  preflightRestore,
  restoreToRemote,
  type RestoreEntry,
} from '../../../src/main/core/remote/restore-writer'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import { CairnError } from '../../../src/shared/errors'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { entriesFromTree } from '../../support/restore-source'
import { buildTree, hostPath, join, walk, sha256 } from '../../support/tree-fixture'

let vm: TestVm
let conn: SshConnection
let source: string

beforeAll(async () => {
  vm = await createTestVm('remote-restore')
  source = fs.mkdtempSync('/tmp/cairn-restore-src-')
  buildTree(path.join(source, 'ws'))
  conn = await vm.connect()
})

afterAll(async () => {
  await conn?.close()
  await vm?.destroy()
  if (source) fs.rmSync(source, { recursive: true, force: true })
})

const base = { mode: 0o644, uid: 1000, gid: 1000, mtimeNs: 1_700_000_000_000_000_000n }

function file(p: string | Buffer, data: string): RestoreEntry {
  const bytes = Buffer.from(data)
  return { ...base, path: Buffer.from(p), type: 'file', size: bytes.length, content: once(bytes) }
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes
}

async function* from(entries: RestoreEntry[]): AsyncGenerator<RestoreEntry> {
  yield* entries
}

describe('restoreToRemote', () => {
  it('recreates the tree byte-exact with modes, mtimes, symlinks and hard links into an empty target', async () => {
    const src = path.join(source, 'ws')
    const report = await restoreToRemote(conn, '/home/dev/restored', entriesFromTree(src))
    expect(report.refused).toEqual([])
    expect(report.warnings).toEqual([])
    const out = hostPath(vm.homeDir, '/home/dev/restored')
    const want = walk(src)
    const got = walk(out)
    expect(got.map((e) => e.relPath.toString('hex')).sort()).toEqual(
      want.map((e) => e.relPath.toString('hex')).sort(),
    )
    const byPath = new Map(got.map((e) => [e.relPath.toString('latin1'), e]))
    for (const w of want) {
      const g = byPath.get(w.relPath.toString('latin1'))
      if (!g) throw new Error(`missing ${w.relPath.toString()}`)
      const name = w.relPath.toString() || '(root)'
      expect(g.stat.mode, name).toBe(w.stat.mode)
      // Restored as dev (not root): everything belongs to dev.
      expect(Number(g.stat.uid), name).toBe(vm.dev.uid)
      expect(g.stat.mtimeNs, name).toBe(w.stat.mtimeNs)
      if (w.stat.isSymbolicLink()) expect(g.linkTarget, name).toEqual(w.linkTarget)
      if (w.stat.isFile()) {
        expect(g.stat.size, name).toBe(w.stat.size)
        expect(sha256(fs.readFileSync(join(out, g.relPath))), name).toBe(
          sha256(fs.readFileSync(join(src, w.relPath))),
        )
      }
    }
    expect(byPath.get('hard-a')?.stat.ino).toBe(byPath.get('src/hard-b')?.stat.ino)
    expect(byPath.get('setuid-tool')?.stat.mode).toBe(0o100000n | 0o4755n)
    expect(report.files).toBe(want.filter((e) => e.stat.isFile()).length - 1)
    expect(report.hardlinks).toBe(1)
  })

  it('refuses entries that would escape the target and writes the rest', async () => {
    const outside = hostPath(vm.homeDir, '/home/dev/outside')
    fs.mkdirSync(outside, { recursive: true })
    fs.chownSync(outside, vm.dev.uid, vm.dev.gid)
    const entries: RestoreEntry[] = [
      { ...base, path: Buffer.alloc(0), type: 'dir', mode: 0o755 },
      file('ok.txt', 'fine'),
      file('../outside/dotdot.txt', 'escaped'),
      file('a/../../outside/sneaky.txt', 'escaped'),
      file('/home/dev/outside/absolute.txt', 'escaped'),
      {
        ...base,
        path: Buffer.from('esc'),
        type: 'symlink',
        linkTarget: Buffer.from('/home/dev/outside'),
      },
      file('esc/through-link.txt', 'escaped'),
      { ...base, path: Buffer.from('esc'), type: 'dir' },
      {
        ...base,
        path: Buffer.from('hl'),
        type: 'hardlink',
        linkTarget: Buffer.from('/home/dev/.bashrc'),
      },
      {
        ...base,
        path: Buffer.from('hl2'),
        type: 'hardlink',
        linkTarget: Buffer.from('../outside/x'),
      },
      file('ok.txt', 'second time'),
      { ...base, path: Buffer.from('dev'), type: 'char-device' as never },
    ]
    const report = await restoreToRemote(conn, '/home/dev/escape-test', from(entries))
    expect(report.refused.map((r) => [r.path.toString(), r.reason])).toEqual([
      ['../outside/dotdot.txt', 'dot-dot'],
      ['a/../../outside/sneaky.txt', 'dot-dot'],
      ['/home/dev/outside/absolute.txt', 'absolute-path'],
      ['esc/through-link.txt', 'through-symlink'],
      ['esc', 'duplicate'],
      ['hl', 'hardlink-target'],
      ['hl2', 'hardlink-target'],
      ['ok.txt', 'duplicate'],
      ['dev', 'unsupported-type'],
    ])
    const target = hostPath(vm.homeDir, '/home/dev/escape-test')
    expect(fs.readFileSync(path.join(target, 'ok.txt'), 'utf8')).toBe('fine')
    expect(fs.readlinkSync(path.join(target, 'esc'))).toBe('/home/dev/outside')
    expect(fs.readdirSync(outside)).toEqual([])
    expect(fs.readdirSync(target).sort()).toEqual(['esc', 'ok.txt'])
  })

  it('refuses a non-empty target unless told to overwrite; the preflight says what would be replaced', async () => {
    const target = hostPath(vm.homeDir, '/home/dev/busy')
    fs.mkdirSync(path.join(target, 'dir'), { recursive: true })
    fs.writeFileSync(path.join(target, 'keep.txt'), 'untouched')
    fs.writeFileSync(path.join(target, 'replace.txt'), 'old')
    fs.symlinkSync('/home/dev/outside', path.join(target, 'planted'))
    execChown(target)
    const entries = (): RestoreEntry[] => [
      { ...base, path: Buffer.from('dir'), type: 'dir', mode: 0o755 },
      file('dir/new.txt', 'new'),
      file('replace.txt', 'new content'),
      file('planted/evil.txt', 'through an existing symlink'),
    ]
    const pre = await preflightRestore(conn, '/home/dev/busy', entries())
    expect(pre.state).toBe('non-empty')
    expect(pre.conflicts.map((c) => [c.path.toString(), c.existingType, c.entryType])).toEqual([
      ['replace.txt', 'file', 'file'],
    ])
    expect(pre.blockedBySymlink.map((p) => p.toString())).toEqual(['planted/evil.txt'])

    const refused = await restoreToRemote(conn, '/home/dev/busy', from(entries())).catch(
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(CairnError)
    expect((refused as CairnError).code).toBe('conflict')
    expect(fs.readFileSync(path.join(target, 'replace.txt'), 'utf8')).toBe('old')

    const report = await restoreToRemote(conn, '/home/dev/busy', from(entries()), {
      overwrite: true,
    })
    expect(report.refused.map((r) => [r.path.toString(), r.reason])).toEqual([
      ['planted/evil.txt', 'through-symlink'],
    ])
    expect(fs.readFileSync(path.join(target, 'replace.txt'), 'utf8')).toBe('new content')
    expect(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8')).toBe('untouched')
    expect(fs.readFileSync(path.join(target, 'dir/new.txt'), 'utf8')).toBe('new')
    expect(fs.existsSync(hostPath(vm.homeDir, '/home/dev/outside/evil.txt'))).toBe(false)
  })

  it('as root, restores owners by name (or by number when asked)', async () => {
    const rootConn = await vm.connect('root')
    try {
      const owned = (p: string): RestoreEntry => ({
        ...file(p, 'owned'),
        uid: 4321,
        gid: 4321,
        user: 'dev',
        group: 'dev',
      })
      await restoreToRemote(rootConn, '/home/dev/by-name', from([owned('f')]))
      expect(fs.statSync(hostPath(vm.homeDir, '/home/dev/by-name/f')).uid).toBe(vm.dev.uid)
      await restoreToRemote(rootConn, '/home/dev/by-number', from([owned('f')]), {
        owner: 'numeric',
      })
      expect(fs.statSync(hostPath(vm.homeDir, '/home/dev/by-number/f')).uid).toBe(4321)
      await restoreToRemote(rootConn, '/home/dev/as-login', from([owned('f')]), {
        owner: 'login-user',
      })
      expect(fs.statSync(hostPath(vm.homeDir, '/home/dev/as-login/f')).uid).toBe(0)
    } finally {
      await rootConn.close()
    }
  })

  it('stops with a clear error when a file is shorter than its recorded size', async () => {
    const bad: RestoreEntry = { ...file('short.txt', 'abc'), size: 10 }
    const err = await restoreToRemote(conn, '/home/dev/short-test', from([bad])).catch(
      (e: unknown) => e,
    )
    expect((err as CairnError).code).toBe('internal')
    expect((err as CairnError).message).toMatch(/short\.txt is shorter than its recorded size/)
  })
})

function execChown(dir: string): void {
  for (const e of walk(dir)) fs.lchownSync(join(dir, e.relPath), vm.dev.uid, vm.dev.gid)
}
