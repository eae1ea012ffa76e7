import { execFileSync } from 'node:child_process'
import { createCipheriv, createHash } from 'node:crypto'
import fs from 'node:fs'

/**
 * Generated workspaces for backup/restore round trips, and a byte-exact comparison of two trees
 * (content, type, mode, size, mtime, symlink target, hard-link identity, owners).
 */

/** Deterministic pseudo-random bytes (ChaCha20 keystream of a seed). */
export function seededBytes(seed: string | number, length: number): Buffer {
  const key = createHash('sha256').update(String(seed)).digest()
  return createCipheriv('chacha20', key, Buffer.alloc(16)).update(Buffer.alloc(length))
}

/** mulberry32: a small seeded PRNG for shapes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Joins a directory and raw-byte names into a raw-byte path. */
export function join(dir: string | Buffer, ...names: (string | Buffer)[]): Buffer {
  let out = Buffer.from(dir)
  for (const name of names) out = Buffer.concat([out, Buffer.from('/'), Buffer.from(name)])
  return out
}

const AWKWARD: Buffer[] = [
  Buffer.from('name with spaces'),
  Buffer.from('new\nline'),
  Buffer.from([0x66, 0xff, 0x6f]), // not UTF-8
  Buffer.from('ümlaut-é'),
  Buffer.from('-starts-with-dash'),
  Buffer.from('.hidden'),
  Buffer.from('quote\'dq"back\\slash$dollar`tick'),
  Buffer.from('tab\there'),
  Buffer.from(`${'long-name-'.repeat(14)}end`), // > 100 bytes: pax path
  Buffer.from('src'),
  Buffer.from('lib'),
  Buffer.from('README.md'),
]

export interface RandomTreeOptions {
  /** Regular files (default 60). */
  files?: number
  /** Folders besides the root (default 12). */
  dirs?: number
  /** Size of the one big file crossing many chunk boundaries (default 5 MiB). */
  bigFile?: number
  /** chown -R to these ids at the end (for a VM's dev user). */
  owner?: { uid: number; gid: number }
}

/**
 * A random workspace with every edge case a backup must carry: awkward names (spaces, newlines,
 * non-UTF-8 bytes, > 100 bytes), empty files and folders, modes 0600/0644/0700/0755/4755 and
 * read-only folders, symlinks (relative, to a folder, absolute, dangling, non-UTF-8 target), hard
 * links within and across folders, a sparse file, a FIFO, a multi-MiB file, nanosecond mtimes
 * (also before 1970 and far in the future).
 */
export function buildRandomTree(root: string, seed: number, options: RandomTreeOptions = {}): void {
  const random = prng(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  fs.mkdirSync(root, { recursive: true })
  const dirs: Buffer[] = [Buffer.from(root)]
  const files: Buffer[] = []
  const times: { path: Buffer; ns: bigint }[] = []
  const name = (i: number) => Buffer.concat([pick(AWKWARD), Buffer.from(`-${seed}-${i}`)])
  const randomNs = () => {
    const r = random()
    const sec =
      r < 0.05
        ? -Math.floor(random() * 400_000_000) // before 1970
        : r < 0.1
          ? 4_000_000_000 + Math.floor(random() * 1_000_000) // 2096
          : 600_000_000 + Math.floor(random() * 1_200_000_000)
    // Before 1970 only whole seconds (a local restore sets times through Node: see local-writer).
    const nsec = sec < 0 ? 0 : Math.floor(random() * 1e9)
    return BigInt(sec) * 1_000_000_000n + BigInt(nsec)
  }

  for (let i = 0; i < (options.dirs ?? 12); i++) {
    const dir = join(pick(dirs), name(i))
    fs.mkdirSync(dir)
    dirs.push(dir)
  }
  fs.mkdirSync(join(root, 'empty-dir'))
  dirs.push(join(root, 'empty-dir'))
  const write = (path: Buffer, data: Buffer, mode: number) => {
    fs.writeFileSync(path, data)
    fs.chmodSync(path, mode)
    files.push(path)
  }
  for (let i = 0; i < (options.files ?? 60); i++) {
    const r = random()
    const size =
      r < 0.15
        ? 0
        : r < 0.75
          ? 1 + Math.floor(random() * 8192)
          : 8192 + Math.floor(random() * 300_000)
    const text = random() < 0.5
    const data = text
      ? Buffer.from(`line ${i} of seed ${seed}\n`.repeat(Math.ceil(size / 20)).slice(0, size))
      : seededBytes(`${seed}/${i}`, size)
    write(join(pick(dirs), name(1000 + i)), data, pick([0o600, 0o644, 0o700, 0o755, 0o644]))
  }
  write(
    join(root, 'big.bin'),
    seededBytes(`${seed}/big`, options.bigFile ?? 5 * 1024 * 1024),
    0o644,
  )
  write(join(root, 'setuid-tool'), Buffer.from('#!/bin/sh\n'), 0o4755)
  // Sparse: 6 MiB with two data islands.
  const sparse = join(root, 'sparse.img')
  const fd = fs.openSync(sparse, 'w')
  fs.writeSync(fd, seededBytes(`${seed}/sparse-a`, 4096), 0, 4096, 0)
  fs.writeSync(fd, seededBytes(`${seed}/sparse-b`, 1000), 0, 1000, 3 * 1024 * 1024 + 17)
  fs.ftruncateSync(fd, 6 * 1024 * 1024)
  fs.closeSync(fd)
  files.push(sparse)
  // Hard links: within a folder and across folders.
  for (let g = 0; g < 3; g++) {
    const first = join(pick(dirs), Buffer.from(`hard-${seed}-${g}`))
    write(first, seededBytes(`${seed}/hard/${g}`, 1000 + g * 5000), 0o644)
    for (let k = 0; k < 1 + g; k++) {
      const other = join(pick(dirs), Buffer.from(`hard-${seed}-${g}-link-${k}`))
      fs.linkSync(first, other)
    }
  }
  // Symlinks of every kind.
  const someFile = files[Math.floor(files.length / 2)]!
  const link = (target: string | Buffer, at: Buffer) => {
    fs.symlinkSync(target, at)
    times.push({ path: at, ns: randomNs() })
  }
  link(someFile.subarray(Buffer.from(root).length + 1), join(root, 'link-to-file'))
  link('empty-dir', join(root, 'link-to-dir'))
  link('/etc/hostname', join(root, 'absolute-link'))
  link('does/not/exist', join(pick(dirs), Buffer.from(`dangling-${seed}`)))
  link(Buffer.concat([Buffer.from('./'), Buffer.from([0x66, 0xfe])]), join(root, 'link-non-utf8'))
  execFileSync('mkfifo', ['-m', '0640', join(root, 'a-fifo').toString()])
  for (const file of files) times.push({ path: file, ns: randomNs() })
  if (options.owner) {
    execFileSync('chown', ['-R', '-h', `${options.owner.uid}:${options.owner.gid}`, root])
    fs.chmodSync(join(root, 'setuid-tool'), 0o4755) // chown clears setuid
  }
  // Folder modes (some read-only) and all times last, deepest first.
  const dirModes = [0o755, 0o700, 0o750, 0o755, 0o555]
  for (const dir of [...dirs].reverse()) {
    if (dir.equals(Buffer.from(root))) continue
    fs.chmodSync(dir, pick(dirModes))
    times.push({ path: dir, ns: randomNs() })
  }
  setTimes(times)
}

/** Sets exact nanosecond mtimes (Node's utimes stops at microseconds); symlinks not followed. */
export function setTimes(times: readonly { path: Buffer; ns: bigint }[]): void {
  const script =
    'import os,sys,json\n' +
    'for p,ns in json.load(sys.stdin):\n' +
    '  os.utime(bytes.fromhex(p), ns=(int(ns), int(ns)), follow_symlinks=False)\n'
  execFileSync('python3', ['-c', script], {
    input: JSON.stringify(times.map((t) => [t.path.toString('hex'), t.ns.toString()])),
  })
}

export interface NodeInfo {
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'other'
  mode: number
  size: number
  sha256: string | null
  target: string | null
  mtimeNs: bigint
  uid: number
  gid: number
  ino: bigint
  blocks: number
}

/** Every entry under root (root itself as ''), keyed by the relative path's hex. */
export function describeTree(root: string | Buffer): Map<string, NodeInfo> {
  const out = new Map<string, NodeInfo>()
  const visit = (rel: Buffer) => {
    const full = rel.length === 0 ? Buffer.from(root) : join(root, rel)
    const s = fs.lstatSync(full, { bigint: true })
    const type = s.isFile()
      ? 'file'
      : s.isDirectory()
        ? 'dir'
        : s.isSymbolicLink()
          ? 'symlink'
          : s.isFIFO()
            ? 'fifo'
            : 'other'
    out.set(rel.toString('hex'), {
      type,
      mode: Number(s.mode & 0o7777n),
      size: type === 'file' ? Number(s.size) : 0,
      sha256:
        type === 'file' ? createHash('sha256').update(fs.readFileSync(full)).digest('hex') : null,
      target:
        type === 'symlink'
          ? (fs.readlinkSync(full, { encoding: 'buffer' }) as Buffer).toString('hex')
          : null,
      mtimeNs: s.mtimeNs,
      uid: Number(s.uid),
      gid: Number(s.gid),
      ino: s.ino,
      blocks: Number(s.blocks),
    })
    if (type === 'dir') {
      for (const name of fs.readdirSync(full, { encoding: 'buffer' }) as Buffer[]) {
        visit(rel.length === 0 ? name : Buffer.concat([rel, Buffer.from('/'), name]))
      }
    }
  }
  visit(Buffer.alloc(0))
  return out
}

export interface CompareOptions {
  /** 'ns': exact; 'us': the restore keeps microseconds (local restores through Node). */
  mtime?: 'ns' | 'us'
  /** Compare uid/gid too. */
  owners?: boolean
  /** Relative paths (hex) to leave out of the comparison (e.g. the root's mtime). */
  ignore?: (relHex: string) => boolean
}

/** Differences between two described trees, for people ([] when identical). */
export function compareTrees(
  expected: Map<string, NodeInfo>,
  actual: Map<string, NodeInfo>,
  options: CompareOptions = {},
): string[] {
  const problems: string[] = []
  const show = (hex: string) => JSON.stringify(Buffer.from(hex, 'hex').toString('latin1'))
  const mtime = (ns: bigint) => (options.mtime === 'us' ? ns / 1000n : ns)
  for (const [rel, want] of expected) {
    if (options.ignore?.(rel)) continue
    const got = actual.get(rel)
    if (!got) {
      problems.push(`${show(rel)}: missing`)
      continue
    }
    const fields: (keyof NodeInfo)[] = ['type', 'size', 'sha256', 'target']
    if (want.type !== 'symlink') fields.push('mode')
    if (options.owners) fields.push('uid', 'gid')
    for (const field of fields) {
      if (want[field] !== got[field]) {
        problems.push(`${show(rel)}: ${field} ${String(want[field])} != ${String(got[field])}`)
      }
    }
    if (mtime(want.mtimeNs) !== mtime(got.mtimeNs)) {
      problems.push(`${show(rel)}: mtime ${want.mtimeNs} != ${got.mtimeNs}`)
    }
  }
  for (const rel of actual.keys()) {
    if (!expected.has(rel) && !options.ignore?.(rel)) problems.push(`${show(rel)}: unexpected`)
  }
  // Hard-link identity: paths sharing an inode in one tree share one in the other.
  const groups = (tree: Map<string, NodeInfo>) => {
    const byInode = new Map<bigint, string[]>()
    for (const [rel, info] of tree) {
      if (info.type !== 'file' || options.ignore?.(rel)) continue
      byInode.set(info.ino, [...(byInode.get(info.ino) ?? []), rel])
    }
    return new Set([...byInode.values()].filter((g) => g.length > 1).map((g) => g.sort().join('|')))
  }
  const want = groups(expected)
  const got = groups(actual)
  for (const g of want) if (!got.has(g)) problems.push(`hard-link group not kept: ${g}`)
  for (const g of got) if (!want.has(g)) problems.push(`unexpected hard-link group: ${g}`)
  return problems
}
