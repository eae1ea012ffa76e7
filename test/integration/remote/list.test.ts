import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listRemote, type RemoteEntry } from '../../../src/main/core/remote/list'
import { backupRules } from '../../../src/main/core/remote/default-rules'
import { PathFilter } from '../../../src/main/core/remote/path-filter'
import { connectSsh, type SshConnection } from '../../../src/main/core/ssh/connection'
import { CairnError } from '../../../src/shared/errors'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { hostLabel } from '../../support/ssh-names'
import { buildTree, hostPath, join, walk } from '../../support/tree-fixture'

let vm: TestVm
let conn: SshConnection
const WS = '/home/dev/ws'
let local: string

beforeAll(async () => {
  vm = await createTestVm('remote-list')
  local = hostPath(vm.homeDir, WS)
  buildTree(local, vm.dev)
  conn = await vm.connect()
})

afterAll(async () => {
  await conn?.close()
  await vm?.destroy()
})

async function list(roots: string[], rules: string[] = []): Promise<RemoteEntry[]> {
  const out: RemoteEntry[] = []
  for await (const e of listRemote(conn, roots, { rules })) out.push(e)
  return out
}

const TYPE_OF = (s: fs.BigIntStats) =>
  s.isFile()
    ? 'file'
    : s.isDirectory()
      ? 'dir'
      : s.isSymbolicLink()
        ? 'symlink'
        : s.isFIFO()
          ? 'fifo'
          : 'other'

describe('listRemote', () => {
  it('lists every entry exactly as lstat sees it, names as raw bytes', async () => {
    const remote = await list([WS])
    const expected = walk(local)
    expect(remote.map((e) => e.relPath.toString('hex')).sort()).toEqual(
      expected.map((e) => e.relPath.toString('hex')).sort(),
    )
    const byPath = new Map(remote.map((e) => [e.relPath.toString('latin1'), e]))
    for (const want of expected) {
      const got = byPath.get(want.relPath.toString('latin1'))
      expect(got, want.relPath.toString()).toBeDefined()
      if (!got) continue
      const s = want.stat
      expect({
        path: got.path.toString('latin1'),
        type: got.type,
        mode: got.mode,
        uid: got.uid,
        gid: got.gid,
        size: got.type === 'dir' ? 0 : got.size,
        mtimeNs: got.mtimeNs,
        ctimeNs: got.ctimeNs,
        inode: got.inode,
        nlink: got.nlink,
        blocks: got.blocks,
        linkTarget: got.linkTarget?.toString('hex') ?? null,
      }).toEqual({
        path: join(WS, ...(want.relPath.length ? [want.relPath] : [])).toString('latin1'),
        type: TYPE_OF(s),
        mode: Number(s.mode & 0o7777n),
        uid: Number(s.uid),
        gid: Number(s.gid),
        size: TYPE_OF(s) === 'dir' ? 0 : Number(s.size),
        mtimeNs: s.mtimeNs,
        ctimeNs: s.ctimeNs,
        inode: s.ino,
        nlink: Number(s.nlink),
        blocks: Number(s.blocks),
        linkTarget: want.linkTarget?.toString('hex') ?? null,
      })
      expect(got.user).toBe('dev')
      expect(got.group).toBe('dev')
    }
    // Spot checks of the edge cases.
    const sparse = byPath.get('sparse.img')
    expect(sparse?.sparse).toBe(true)
    expect(byPath.get('big.bin')?.sparse).toBe(false)
    expect(byPath.get('setuid-tool')?.mode).toBe(0o4755)
    expect(byPath.get('sticky-dir')?.mode).toBe(0o1777)
    expect(byPath.get('hard-a')?.inode).toBe(byPath.get('src/hard-b')?.inode)
    expect(byPath.get('hard-a')?.nlink).toBe(2)
    expect(byPath.get('src/main.ts')?.mtimeNs).toBe(1_700_000_000_123_456_000n)
    expect(byPath.get('with space.txt')?.mtimeNs).toBe(
      // touch -d reads local time.
      BigInt(new Date(2001, 1, 3, 4, 5, 6).getTime() / 1000) * 1_000_000_000n + 123_456_789n,
    )
    expect(byPath.get('empty-file')?.mtimeNs).toBeLessThan(0n)
    // Depth-first: every entry comes after its parent directory.
    const seen = new Set<string>([''])
    for (const e of remote) {
      const rel = e.relPath.toString('latin1')
      if (rel === '') continue
      expect(seen.has(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '')).toBe(true)
      seen.add(rel)
    }
  })

  it('applies the default rules: caches and credentials out, ssh config and public keys in', async () => {
    const home = hostPath(vm.homeDir, '/home/dev')
    const mk = (rel: string, data = 'x', mode = 0o600) => {
      fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true })
      fs.writeFileSync(path.join(home, rel), data, { mode })
    }
    mk('.cache/pip/wheel.whl')
    mk('.ssh/id_ed25519')
    mk('.ssh/deploy_key')
    mk('.ssh/id_ed25519.pub', 'pub', 0o644)
    mk('.ssh/config')
    mk('.ssh/known_hosts')
    mk('.config/gh/hosts.yml')
    mk('.config/gh/config.yml')
    mk('.npm/_cacache/index')
    mk('.aws/credentials')
    mk('.aws/config')
    mk('proj/node_modules/.cache/x')
    mk('proj/node_modules/dep/index.js')
    mk('proj/pkg/__pycache__/m.pyc')
    mk('proj/.venv/bin/python')
    fs.symlinkSync('/tmp/agent.sock', path.join(home, '.ssh/agent-link'))
    fs.lchownSync(path.join(home, '.ssh/agent-link'), vm.dev.uid, vm.dev.gid)
    // A socket: never listed.
    const { execFileSync } = await import('node:child_process')
    execFileSync('python3', [
      '-c',
      `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(path.join(home, 'proj/app.sock'))})`,
    ])
    execFileSync('chown', ['-R', `${vm.dev.uid}:${vm.dev.gid}`, home])

    const rules = backupRules()
    const got = (await list(['/home/dev'], rules)).map((e) => e.relPath.toString()).sort()
    // The same rules applied on this side to a full listing give the same answer, so the prunes
    // pushed to find changed nothing.
    const filter = new PathFilter(rules)
    const all = walk(home).filter((e) => !e.stat.isSocket())
    const expected: string[] = []
    const excludedDirs: string[] = []
    for (const e of all) {
      const rel = e.relPath.toString()
      if (excludedDirs.some((d) => rel.startsWith(`${d}/`))) continue
      if (filter.excludes(rel, e.stat.isDirectory())) {
        if (e.stat.isDirectory()) excludedDirs.push(rel)
        continue
      }
      expected.push(rel)
    }
    expect(got).toEqual(expected.sort())
    for (const kept of [
      '.ssh/config',
      '.ssh/known_hosts',
      '.ssh/id_ed25519.pub',
      '.config/gh/config.yml',
      '.aws/config',
      'proj/node_modules/dep/index.js',
      'proj/.venv/bin/python',
      'ws/big.bin',
    ]) {
      expect(got).toContain(kept)
    }
    for (const gone of [
      '.cache',
      '.ssh/id_ed25519',
      '.ssh/deploy_key',
      '.ssh/agent-link',
      '.config/gh/hosts.yml',
      '.npm/_cacache',
      '.aws/credentials',
      'proj/node_modules/.cache',
      'proj/pkg/__pycache__',
      'proj/app.sock',
    ]) {
      expect(got).not.toContain(gone)
      expect(got.some((p) => p.startsWith(`${gone}/`))).toBe(false)
    }
    // With the credentials policy off, keys are listed (caches still are not).
    const withSecrets = (await list(['/home/dev'], backupRules({ secretsPolicy: 'include' }))).map(
      (e) => e.relPath.toString(),
    )
    expect(withSecrets).toContain('.ssh/id_ed25519')
    expect(withSecrets).not.toContain('.cache')
  })

  it('reports unreadable directories as warnings with their path, and lists the rest', async () => {
    const locked = path.join(local, 'locked')
    fs.mkdirSync(path.join(locked, 'inner'), { recursive: true })
    fs.chmodSync(locked, 0o000) // owned by root: dev cannot enter it
    try {
      const warnings: { path: Buffer | null; message: string }[] = []
      const entries: RemoteEntry[] = []
      for await (const e of listRemote(conn, [WS], {
        rules: [],
        onWarning: (w) => warnings.push(w),
      }))
        entries.push(e)
      expect(entries.some((e) => e.relPath.toString() === 'locked')).toBe(true)
      expect(entries.some((e) => e.relPath.toString() === 'big.bin')).toBe(true)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.path?.toString()).toBe(`${WS}/locked`)
      expect(warnings[0]?.message).toContain('Permission denied')
    } finally {
      fs.rmSync(locked, { recursive: true, force: true })
    }
  })

  it('fails with not_found naming a missing path', async () => {
    const err = await list([WS, '/home/dev/nope']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('not_found')
    expect((err as CairnError).message).toBe(
      `The path /home/dev/nope does not exist on ${hostLabel(vm.ip, vm.port)}.`,
    )
    // The connection is still usable afterwards.
    expect((await list([`${WS}/src`])).length).toBeGreaterThan(2)
  })

  it('refuses a server whose host key is not the pinned one, before authenticating', async () => {
    const other = fs.readFileSync(
      new URL('./fixtures/other_host_ed25519.pub', import.meta.url),
      'utf8',
    )
    const before = (await vm.sshdLog()).length
    const err = await connectSsh({ ...vm.options(), hostKey: other }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('host_key_mismatch')
    expect((err as CairnError).message).toMatch(
      /^The host key of 127\.0\.0\.\d+(:\d+)? changed: it presented SHA256:/,
    )
    await new Promise((r) => setTimeout(r, 200))
    const log = (await vm.sshdLog()).slice(before)
    expect(log).toMatch(/preauth/)
    expect(log).not.toMatch(/Accepted publickey|Postponed publickey|Failed publickey/)
  })

  it('maps a refused user key to unauthorized', async () => {
    const { execFileSync } = await import('node:child_process')
    const dir = fs.mkdtempSync('/tmp/cairn-key-')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${dir}/k`])
    const err = await connectSsh({
      ...vm.options(),
      privateKey: fs.readFileSync(`${dir}/k`),
    }).catch((e: unknown) => e)
    fs.rmSync(dir, { recursive: true })
    expect((err as CairnError).code).toBe('unauthorized')
  })
})
