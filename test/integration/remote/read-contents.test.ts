import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listRemote, type RemoteEntry } from '../../../src/main/core/remote/list'
import { readRemoteFiles, type FileContent } from '../../../src/main/core/remote/read-contents'
import { connectSsh, type SshConnection } from '../../../src/main/core/ssh/connection'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { buildTree, hostPath, join, NON_UTF8, sha256 } from '../../support/tree-fixture'

let vm: TestVm
let conn: SshConnection
const WS = '/home/dev/ws'
let local: string

beforeAll(async () => {
  vm = await createTestVm('remote-read')
  local = hostPath(vm.homeDir, WS)
  buildTree(local, vm.dev)
  conn = await vm.connect()
})

afterAll(async () => {
  await conn?.close()
  await vm?.destroy()
})

async function listFiles(root = WS): Promise<RemoteEntry[]> {
  const out: RemoteEntry[] = []
  for await (const e of listRemote(conn, [root], { rules: [] })) if (e.type === 'file') out.push(e)
  return out
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of stream) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

function ownedByDev(p: string | Buffer) {
  fs.lchownSync(p, vm.dev.uid, vm.dev.gid)
}

describe('readRemoteFiles', () => {
  it('streams every listed file byte-exact, in order, with hard links reported', async () => {
    const files = await listFiles()
    const reader = readRemoteFiles(conn, files)
    const seen: { file: FileContent; data: Buffer }[] = []
    for await (const file of reader.files()) seen.push({ file, data: await collect(file.content) })
    const summary = await reader.summary
    expect(summary.skipped).toEqual([])
    expect(summary.changedWhileReading).toEqual([])
    expect(summary.warnings).toEqual([])
    expect(seen.map((s) => s.file.path.toString('hex'))).toEqual(
      files.map((f) => f.path.toString('hex')),
    )

    let hardlinks = 0
    for (const { file, data } of seen) {
      const rel = file.path.subarray(WS.length + 1)
      const onDisk = fs.readFileSync(join(local, rel))
      expect(file.changedSinceListing).toBe(false)
      if (file.type === 'hardlink') {
        hardlinks++
        expect(data.length).toBe(0)
        const target = file.linkTarget as Buffer
        expect(
          fs.statSync(
            target.toString('latin1').startsWith(WS)
              ? join(local, target.subarray(WS.length + 1))
              : target,
          ).ino,
        ).toBe(fs.statSync(join(local, rel)).ino)
        continue
      }
      expect(sha256(data), rel.toString()).toBe(sha256(onDisk))
      expect(file.header.size).toBe(onDisk.length)
      expect(file.header.mtimeNs).toBe(fs.lstatSync(join(local, rel), { bigint: true }).mtimeNs)
    }
    expect(hardlinks).toBe(1)
    const sparse = seen.find((s) => s.file.path.toString().endsWith('/sparse.img'))
    expect(sparse?.file.header.sparse).toBe(true)
    expect(sparse?.data.length).toBe(8 * 1024 * 1024)
    expect(seen.find((s) => s.file.path.equals(join(WS, NON_UTF8)))?.data).toEqual(
      Buffer.from([0, 1, 2, 255]),
    )
  })

  it('skips and reports files that vanished or stopped being files since the listing', async () => {
    fs.writeFileSync(path.join(local, 'to-vanish'), 'x')
    fs.writeFileSync(path.join(local, 'to-become-dir'), 'x')
    ownedByDev(path.join(local, 'to-vanish'))
    ownedByDev(path.join(local, 'to-become-dir'))
    const files = (await listFiles()).filter((f) =>
      /to-vanish|to-become-dir|main\.ts/.test(f.path.toString()),
    )
    fs.rmSync(path.join(local, 'to-vanish'))
    fs.rmSync(path.join(local, 'to-become-dir'))
    fs.mkdirSync(path.join(local, 'to-become-dir'))
    const reader = readRemoteFiles(conn, files)
    const read: string[] = []
    for await (const f of reader.files()) {
      read.push(path.basename(f.path.toString()))
      await collect(f.content)
    }
    const summary = await reader.summary
    expect(read).toEqual(['main.ts'])
    expect(summary.skipped.map((s) => [path.basename(s.path.toString()), s.reason]).sort()).toEqual(
      [
        ['to-become-dir', 'no longer a regular file'],
        ['to-vanish', 'Cannot stat: No such file or directory'],
      ],
    )
    fs.rmdirSync(path.join(local, 'to-become-dir'))
  })

  it('flags a file that changed between listing and reading', async () => {
    const p = path.join(local, 'edited.txt')
    fs.writeFileSync(p, 'before')
    ownedByDev(p)
    const files = (await listFiles()).filter((f) => f.path.toString().endsWith('/edited.txt'))
    fs.writeFileSync(p, 'after, and longer')
    const reader = readRemoteFiles(conn, files)
    for await (const f of reader.files()) {
      expect(f.changedSinceListing).toBe(true)
      expect((await collect(f.content)).toString()).toBe('after, and longer')
    }
  })

  it('detects a file that grows while it streams, and one that shrinks', async () => {
    const grow = path.join(local, 'growing.log')
    const shrink = path.join(local, 'shrinking.db')
    fs.writeFileSync(grow, Buffer.alloc(48 * 1024 * 1024, 1))
    fs.writeFileSync(shrink, Buffer.alloc(48 * 1024 * 1024, 2))
    ownedByDev(grow)
    ownedByDev(shrink)
    const files = (await listFiles()).filter((f) =>
      /growing\.log|shrinking\.db/.test(f.path.toString()),
    )
    const reader = readRemoteFiles(conn, files)
    for await (const f of reader.files()) {
      let first = true
      for await (const chunk of f.content) {
        if (first) {
          first = false
          // tar is now blocked mid-file on the full SSH window: change the file under it.
          await new Promise((r) => setTimeout(r, 200))
          if (f.path.toString().endsWith('growing.log')) fs.appendFileSync(grow, 'more')
          else fs.truncateSync(shrink, 40 * 1024 * 1024)
        }
        void chunk
      }
    }
    const summary = await reader.summary
    const flagged = summary.changedWhileReading.map((c) => [
      path.basename(c.path.toString()),
      c.reason,
    ])
    expect(flagged).toContainEqual(['growing.log', 'file changed as we read it'])
    expect(flagged.find(([name]) => name === 'shrinking.db')?.[1]).toMatch(
      /shrank by 8388608 bytes; padding with zeros/i,
    )
    fs.rmSync(grow)
    fs.rmSync(shrink)
  })

  it('stops the remote tar when the consumer stops early, and the connection stays usable', async () => {
    const files = await listFiles()
    const reader = readRemoteFiles(conn, files)
    for await (const f of reader.files()) {
      await collect(f.content)
      break
    }
    await expect(reader.summary).rejects.toMatchObject({ code: 'cancelled' })
    const again = readRemoteFiles(conn, files.slice(0, 2))
    let n = 0
    for await (const f of again.files()) {
      await collect(f.content)
      n++
    }
    expect(n).toBe(2)
  })

  it('fails with unreachable when the connection drops mid-file', async () => {
    // A TCP relay between Cairn and the VM that can be cut, like a dropped network link.
    const sockets = new Set<net.Socket>()
    const relay = net.createServer((client) => {
      const upstream = net.connect(vm.port, vm.ip)
      sockets.add(client).add(upstream)
      client.pipe(upstream).pipe(client)
      client.on('error', () => {})
      upstream.on('error', () => {})
    })
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
    const { port } = relay.address() as net.AddressInfo
    const relayed = await connectSsh({
      ...vm.options(),
      host: '127.0.0.1',
      port,
      keepaliveIntervalMs: 1000,
    })
    try {
      const files = (await listFiles()).filter((f) => f.path.toString().endsWith('/big.bin'))
      const reader = readRemoteFiles(relayed, files)
      const run = (async () => {
        for await (const f of reader.files()) {
          let first = true
          for await (const chunk of f.content) {
            void chunk
            if (first) for (const s of sockets) s.destroy()
            first = false
          }
        }
      })()
      await expect(run).rejects.toMatchObject({ code: 'unreachable' })
      await expect(reader.summary).rejects.toMatchObject({ code: 'unreachable' })
    } finally {
      await relayed.close()
      relay.close()
    }
  })

  it('is cancelled by its abort signal', async () => {
    const files = await listFiles()
    const controller = new AbortController()
    const reader = readRemoteFiles(conn, files, { signal: controller.signal })
    const run = (async () => {
      for await (const f of reader.files()) {
        controller.abort()
        await collect(f.content)
      }
    })()
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
  })
})
