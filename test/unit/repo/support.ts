import { createCipheriv, createHash } from 'node:crypto'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  initRepository,
  openWorkspace,
  type SnapshotReader,
  type SnapshotWriter,
  type TreeEntry,
  type Workspace,
} from '../../../src/main/core/repo'
import type { ObjectStore } from '../../../src/main/core/storage/object-store'

/** Deterministic pseudo-random bytes (ChaCha20 keystream of a seed): fast and reproducible. */
export function seededBytes(seed: string | number, length: number): Buffer {
  const key = createHash('sha256').update(String(seed)).digest()
  const cipher = createCipheriv('chacha20', key, Buffer.alloc(16))
  return cipher.update(Buffer.alloc(length))
}

/** A small seeded PRNG for shapes (mulberry32). */
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

export type ModelNode =
  | {
      kind: 'file'
      content: Buffer
      mode: number
      mtimeSec: number
      mtimeNsec: number
      changed?: boolean
    }
  | {
      kind: 'dir'
      children: Map<string, ModelNode>
      mode: number
      mtimeSec: number
      mtimeNsec: number
    }
  | { kind: 'symlink'; target: Buffer; mtimeSec: number; mtimeNsec: number }

/** Children are keyed by the name's hex so names can be any bytes. */
export const nameKey = (name: Uint8Array) => Buffer.from(name).toString('hex')

export function dir(children: Record<string, ModelNode> | Map<string, ModelNode> = {}): ModelNode {
  const map =
    children instanceof Map
      ? children
      : new Map(Object.entries(children).map(([n, c]) => [nameKey(Buffer.from(n)), c]))
  return { kind: 'dir', children: map, mode: 0o755, mtimeSec: 1_700_000_000, mtimeNsec: 5 }
}

export function file(content: Buffer, mode = 0o644): ModelNode {
  return { kind: 'file', content, mode, mtimeSec: 1_700_000_123, mtimeNsec: 987_654_321 }
}

/** A random tree with awkward names, empty files, empty dirs, symlinks and some big files. */
export function randomTree(
  seed: number,
  options: { files?: number; maxFileSize?: number; bigFiles?: number } = {},
): ModelNode {
  const random = prng(seed)
  const root = dir()
  const dirs: ModelNode[] = [root]
  const awkward = [
    Buffer.from('name with spaces'),
    Buffer.from('new\nline'),
    Buffer.from([0xff, 0xfe, 0x41]),
    Buffer.from('ümlaut'),
    Buffer.from('-dash'),
    Buffer.from('.hidden'),
    Buffer.from('back\\slash'),
    Buffer.from('tab\tname'),
  ]
  const fileCount = options.files ?? 40
  let n = 0
  const nextName = () => {
    const pick = random()
    n++
    if (pick < 0.25)
      return Buffer.concat([awkward[Math.floor(random() * awkward.length)]!, Buffer.from(`-${n}`)])
    return Buffer.from(`f${n}-${Math.floor(random() * 1e6)}`)
  }
  const add = (parent: ModelNode, name: Buffer, node: ModelNode) => {
    if (parent.kind === 'dir') parent.children.set(nameKey(name), node)
  }
  for (let i = 0; i < fileCount; i++) {
    const parent = dirs[Math.floor(random() * dirs.length)]!
    const roll = random()
    if (roll < 0.15) {
      const child = dir()
      add(parent, nextName(), child)
      dirs.push(child)
    } else if (roll < 0.22) {
      add(parent, nextName(), {
        kind: 'symlink',
        target: Buffer.from(random() < 0.5 ? '../x/y' : '\xff/abs'),
        mtimeSec: -5,
        mtimeNsec: 0,
      })
    } else {
      const size =
        random() < 0.15 ? 0 : Math.floor(random() * random() * (options.maxFileSize ?? 200_000))
      add(parent, nextName(), {
        kind: 'file',
        content: seededBytes(`${seed}-${i}`, size),
        mode: random() < 0.1 ? 0o4755 : 0o644,
        mtimeSec: 1_600_000_000 + Math.floor(random() * 1e8),
        mtimeNsec: Math.floor(random() * 1e9),
        changed: random() < 0.05,
      })
    }
  }
  for (let b = 0; b < (options.bigFiles ?? 0); b++) {
    add(
      root,
      Buffer.from(`big-${b}`),
      file(seededBytes(`${seed}-big-${b}`, 3 * 1024 * 1024 + b * 777)),
    )
  }
  return root
}

/** Yields a buffer in random-sized pieces, as a network stream would. */
export function* pieces(content: Buffer, seed = 1): Generator<Buffer> {
  const random = prng(seed)
  let offset = 0
  while (offset < content.length) {
    const size = 1 + Math.floor(random() * 100_000)
    yield content.subarray(offset, offset + size)
    offset += size
  }
}

/** Backs up a model directory bottom-up; returns its tree id. */
export async function backupModel(writer: SnapshotWriter, node: ModelNode): Promise<string> {
  if (node.kind !== 'dir') throw new Error('root must be a directory')
  const entries: TreeEntry[] = []
  for (const [key, child] of node.children) {
    const name = Buffer.from(key, 'hex')
    const common = {
      name,
      uid: 1000,
      gid: 1000,
      uname: 'dev',
      gname: 'dev',
      mtimeSec: child.mtimeSec,
      mtimeNsec: child.mtimeNsec,
    }
    if (child.kind === 'file') {
      const result = await writer.addFileContent(pieces(child.content, child.content.length))
      entries.push({
        ...common,
        type: 'file',
        mode: child.mode,
        size: result.size,
        content: result.content,
        changedWhileReading: child.changed ?? false,
      })
    } else if (child.kind === 'dir') {
      entries.push({
        ...common,
        type: 'dir',
        mode: child.mode,
        size: 0,
        subtree: await backupModel(writer, child),
      })
    } else {
      entries.push({
        ...common,
        type: 'symlink',
        mode: 0o777,
        size: child.target.length,
        target: child.target,
      })
    }
  }
  return writer.writeTree(entries)
}

/** Reads a tree back into the model shape, reading and authenticating every blob. */
export async function restoreModel(reader: SnapshotReader, treeId: string): Promise<ModelNode> {
  const root = dir()
  if (root.kind !== 'dir') throw new Error('unreachable')
  for (const entry of await reader.readTree(treeId)) {
    const key = nameKey(entry.name)
    if (entry.type === 'file') {
      const parts: Buffer[] = []
      for await (const part of reader.readFileContent(entry.content ?? [])) parts.push(part)
      const content = Buffer.concat(parts)
      if (content.length !== entry.size) throw new Error('size mismatch')
      root.children.set(key, {
        kind: 'file',
        content,
        mode: entry.mode,
        mtimeSec: entry.mtimeSec,
        mtimeNsec: entry.mtimeNsec,
        changed: entry.changedWhileReading ?? false,
      })
    } else if (entry.type === 'dir') {
      const child = await restoreModel(reader, entry.subtree!)
      if (child.kind === 'dir') {
        child.mode = entry.mode
        child.mtimeSec = entry.mtimeSec
        child.mtimeNsec = entry.mtimeNsec
      }
      root.children.set(key, child)
    } else if (entry.type === 'symlink') {
      root.children.set(key, {
        kind: 'symlink',
        target: Buffer.from(entry.target!),
        mtimeSec: entry.mtimeSec,
        mtimeNsec: entry.mtimeNsec,
      })
    }
  }
  return root
}

/** Normalizes a model for deep comparison (Map -> sorted object, Buffer -> hex). */
export function normalize(node: ModelNode): unknown {
  if (node.kind === 'file')
    return {
      ...node,
      content: createHash('sha256').update(node.content).digest('hex'),
      size: node.content.length,
      changed: node.changed ?? false,
    }
  if (node.kind === 'symlink') return { ...node, target: node.target.toString('hex') }
  return {
    ...node,
    children: Object.fromEntries(
      [...node.children.entries()]
        .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')))
        .map(([k, v]) => [k, normalize(v)]),
    ),
  }
}

export async function newWorkspace(
  store: ObjectStore,
  masterKey = generateMasterKey(),
): Promise<{ workspace: Workspace; masterKey: Uint8Array }> {
  const repo = await initRepository(store, masterKey)
  return { workspace: await openWorkspace(repo, 'ws-1', { create: true }), masterKey }
}

/** Content bytes of a model tree. */
export function modelBytes(node: ModelNode): number {
  if (node.kind === 'file') return node.content.length
  if (node.kind === 'dir')
    return [...node.children.values()].reduce((sum, child) => sum + modelBytes(child), 0)
  return 0
}
