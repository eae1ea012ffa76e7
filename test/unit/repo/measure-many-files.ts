// Many small files through the write and read paths (not a test):
// `npx tsx test/unit/repo/measure-many-files.ts [files]`
// 50k source-like files in 5k directories, backed up, backed up again unchanged, then restored.
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  createSnapshotWriter,
  initRepository,
  openSnapshotReader,
  openWorkspace,
  type SnapshotWriter,
  type TreeEntry,
} from '../../../src/main/core/repo'
import { MemoryStore } from '../../support/memory-store'
import { seededBytes } from './support'

const MiB = 1048576
const fileCount = Number(process.argv[2] ?? 50_000)
const perDir = 10
// Source-like content: repetitive text with a unique part, 2-40 KB.
const words = Buffer.from(
  'const import export function return await value string number if else for ',
)
const contents = Array.from({ length: fileCount }, (_, i) => {
  const size = 2000 + ((i * 7919) % 38000)
  const out = Buffer.alloc(size)
  for (let o = 0; o < size; o += words.length) words.copy(out, o)
  seededBytes(i, Math.min(200, size)).copy(out, 0)
  return out
})
const totalBytes = contents.reduce((sum, c) => sum + c.length, 0)

async function backup(writer: SnapshotWriter): Promise<string> {
  const dirs: TreeEntry[] = []
  for (let d = 0; d * perDir < fileCount; d++) {
    const entries: TreeEntry[] = []
    for (let f = d * perDir; f < Math.min(fileCount, (d + 1) * perDir); f++) {
      const { content, size } = await writer.addFileContent([contents[f]!])
      entries.push({
        name: Buffer.from(`file-${f}.ts`),
        type: 'file',
        mode: 0o644,
        uid: 1000,
        gid: 1000,
        mtimeSec: 1_700_000_000,
        mtimeNsec: 0,
        size,
        content,
      })
    }
    const subtree = await writer.writeTree(entries)
    dirs.push({
      name: Buffer.from(`dir-${d}`),
      type: 'dir',
      mode: 0o755,
      uid: 1000,
      gid: 1000,
      mtimeSec: 1_700_000_000,
      mtimeNsec: 0,
      size: 0,
      subtree,
    })
  }
  return writer.writeTree(dirs)
}

async function main() {
  const store = new MemoryStore()
  const workspace = await openWorkspace(await initRepository(store, generateMasterKey()), 'm', {
    create: true,
  })
  console.log(
    `${fileCount} files, ${(totalBytes / MiB).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB before`,
  )
  for (const label of ['full backup', 'unchanged backup']) {
    const puts = store.requests.put
    const start = performance.now()
    const writer = await createSnapshotWriter(workspace)
    const tree = await backup(writer)
    const { snapshot } = await writer.commit({ trigger: 'cli', paths: ['/w'], hostname: 'm', tree })
    const ms = performance.now() - start
    console.log(
      `${label}: ${(ms / 1000).toFixed(2)} s, ${(totalBytes / MiB / (ms / 1000)).toFixed(0)} MiB/s, ${snapshot.stats.addedBlobs} new blobs, ${store.requests.put - puts} PUTs, stored ${(snapshot.stats.addedPackBytes / MiB).toFixed(1)} MiB, rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`,
    )
  }
  const start = performance.now()
  const gets = store.requests.get
  const reader = await openSnapshotReader(workspace)
  const { snapshot } = await reader.loadSnapshot('latest')
  let restored = 0
  const files: TreeEntry[] = []
  for (const dir of await reader.readTree(snapshot.tree)) {
    files.push(...(await reader.readTree(dir.subtree!)))
  }
  for await (const { data } of reader.readFiles(files)) restored += data.length
  const ms = performance.now() - start
  console.log(
    `restore (readFiles): ${(ms / 1000).toFixed(2)} s, ${(restored / MiB / (ms / 1000)).toFixed(0)} MiB/s, ${store.requests.get - gets} GETs`,
  )
}
await main()
