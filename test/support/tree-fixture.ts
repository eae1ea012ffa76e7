import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/** Joins a directory path and a raw-byte name into a raw-byte path. */
export function join(dir: string | Buffer, ...names: (string | Buffer)[]): Buffer {
  let out = Buffer.from(dir)
  for (const name of names) out = Buffer.concat([out, Buffer.from('/'), Buffer.from(name)])
  return out
}

export const NON_UTF8 = Buffer.from([0x66, 0xff, 0x6f]) // "f\xffo"
export const NEWLINE_NAME = 'line\nbreak.txt'
export const LONG_NAME = `${'very-long-directory-name-'.repeat(3)}x`

/**
 * A workspace with every edge case the remote layer must carry: spaces, newlines and non-UTF-8
 * bytes in names, names over 100 bytes (pax), symlinks (also dangling and long), empty dirs and
 * files, special modes, hard links, a sparse file, a 20 MiB file, nanosecond mtimes.
 */
export function buildTree(root: string, owner?: { uid: number; gid: number }): void {
  fs.mkdirSync(root, { recursive: true })
  const w = (rel: string | Buffer, data: string | Buffer, mode = 0o644) => {
    const p = join(root, rel)
    fs.writeFileSync(p, data)
    fs.chmodSync(p, mode)
  }
  fs.mkdirSync(join(root, 'src/lib'), { recursive: true })
  w('src/main.ts', 'export const x = 1\n')
  w('src/lib/util.ts', 'export function f() {}\n'.repeat(50))
  w('with space.txt', 'spaces\n')
  w(NEWLINE_NAME, 'newline in the name\n')
  w(NON_UTF8, Buffer.from([0, 1, 2, 255]))
  fs.mkdirSync(join(root, Buffer.concat([Buffer.from('dir-'), NON_UTF8])))
  w(
    Buffer.concat([Buffer.from('dir-'), NON_UTF8, Buffer.from('/inner \u00e9\u00e8.txt')]),
    'utf-8 name inside\n',
  )
  w('quote\'and"dq\\back$dollar`tick', 'shell metacharacters\n')
  w('-starts-with-dash', 'dash\n')
  w('empty-file', '')
  w('secret.txt', 'private\n', 0o600)
  w('script.sh', '#!/bin/sh\necho hi\n', 0o755)
  w('setuid-tool', 'not really\n', 0o4755)
  fs.mkdirSync(join(root, 'empty-dir'))
  fs.mkdirSync(join(root, 'sticky-dir'))
  fs.chmodSync(join(root, 'sticky-dir'), 0o1777)
  fs.mkdirSync(join(root, 'private-dir'), { mode: 0o700 })
  fs.chmodSync(join(root, 'private-dir'), 0o700)
  w('private-dir/inside', 'x')
  fs.symlinkSync('src/main.ts', join(root, 'link-to-file'))
  fs.symlinkSync('src', join(root, 'link-to-dir'))
  fs.symlinkSync('does/not/exist', join(root, 'dangling-link'))
  fs.symlinkSync(`../${'target-'.repeat(20)}end`, join(root, 'long-link'))
  fs.symlinkSync(Buffer.concat([Buffer.from('./'), NON_UTF8]), join(root, 'link-non-utf8'))
  w('hard-a', 'same inode\n')
  fs.linkSync(join(root, 'hard-a'), join(root, 'src/hard-b'))
  const deep = join(root, LONG_NAME, LONG_NAME)
  fs.mkdirSync(deep, { recursive: true })
  w(
    Buffer.concat([
      Buffer.from(`${LONG_NAME}/${LONG_NAME}/`),
      Buffer.from(`${'file-'.repeat(25)}.txt`),
    ]),
    'deep\n',
  )
  // Sparse: 8 MiB with two small data islands.
  const sparse = join(root, 'sparse.img')
  const fd = fs.openSync(sparse, 'w')
  fs.writeSync(fd, Buffer.from('start'), 0, 5, 0)
  fs.writeSync(fd, Buffer.from('middle'), 0, 6, 3 * 1024 * 1024 + 17)
  fs.ftruncateSync(fd, 8 * 1024 * 1024)
  fs.closeSync(fd)
  // 20 MiB of varied (incompressible-ish) content.
  const big = Buffer.alloc(20 * 1024 * 1024)
  for (let i = 0; i < big.length; i += 32)
    createHash('sha256').update(String(i)).digest().copy(big, i)
  w('big.bin', big)
  fs.mkdirSync(join(root, 'node_modules/.cache/babel'), { recursive: true })
  w('node_modules/.cache/babel/x.json', '{}')
  w('node_modules/left-pad.js', 'module.exports = 1\n')
  // Nanosecond mtimes, an old one, and an exact second.
  fs.utimesSync(join(root, 'src/main.ts'), 1_700_000_000.123456, 1_700_000_000.123456)
  execFileSync('touch', [
    '-h',
    '-d',
    '2001-02-03 04:05:06.123456789',
    join(root, 'with space.txt').toString(),
  ])
  execFileSync('touch', ['-d', '1969-07-20 20:17:40', join(root, 'empty-file').toString()])
  if (owner) {
    execFileSync('chown', ['-R', '-h', `${owner.uid}:${owner.gid}`, root])
    // chown clears setuid.
    fs.chmodSync(join(root, 'setuid-tool'), 0o4755)
  }
}

export interface LocalEntry {
  relPath: Buffer
  stat: fs.BigIntStats
  linkTarget: Buffer | null
}

/** Every entry under root (root itself first, relPath empty), with lstat; depth first. */
export function walk(root: string): LocalEntry[] {
  const out: LocalEntry[] = []
  const visit = (rel: Buffer) => {
    const full = rel.length === 0 ? Buffer.from(root) : join(root, rel)
    const stat = fs.lstatSync(full, { bigint: true })
    out.push({
      relPath: rel,
      stat,
      linkTarget: stat.isSymbolicLink()
        ? (fs.readlinkSync(full, { encoding: 'buffer' }) as Buffer)
        : null,
    })
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(full, { encoding: 'buffer' }) as Buffer[]) {
        visit(rel.length === 0 ? name : Buffer.concat([rel, Buffer.from('/'), name]))
      }
    }
  }
  visit(Buffer.alloc(0))
  return out
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

export function hostPath(homeDir: string, vmPath: string): string {
  return path.join(homeDir, path.relative('/home', vmPath))
}
