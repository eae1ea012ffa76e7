/**
 * The "~1% change" between two backups, shaped like a day of development: a few regions of big
 * binary files rewritten in place, rows added to the database, the dev log grown, source files
 * rewritten, new source files, git objects and an asset added, a few files deleted. Deterministic
 * from the seed. `bytesChanged` counts every byte written (new content), which is what an ideal
 * incremental backup would have to store before compression.
 */
import { chown, lchown, mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { NoiseStream, Rng } from './random'
import { logText, makeVocabulary, sourceText } from './text'

export interface ChangeSummary {
  bytesChanged: number
  filesModified: number
  filesAdded: number
  filesDeleted: number
  /** Share of the dataset's bytes. */
  share: number
}

async function filesUnder(root: string, rel: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string) => {
    const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      const child = `${dir}/${e.name}`
      if (e.isDirectory()) await walk(child)
      else if (e.isFile()) out.push(child)
    }
  }
  await walk(rel)
  return out.sort()
}

/**
 * Applies change number `round` to the workspace at `root` (whose files total `datasetBytes`).
 * New files get `owner` (the VM user) so the VM sees them as its own.
 */
export async function applyChange(
  root: string,
  seed: number,
  datasetBytes: number,
  owner: { uid: number; gid: number },
  round = 1,
): Promise<ChangeSummary> {
  const rng = new Rng(seed, 'change', round)
  const vocab = makeVocabulary(new Rng(seed, 'vocab'))
  const budget = datasetBytes / 100
  const summary: ChangeSummary = {
    bytesChanged: 0,
    filesModified: 0,
    filesAdded: 0,
    filesDeleted: 0,
    share: 0,
  }
  const modified = new Set<string>()
  const block = (n: number) => Math.max(4096, Math.round(n / 4096) * 4096)

  const overwrite = async (rel: string, share: number, bytes: (n: number) => Buffer) => {
    const abs = path.join(root, rel)
    const size = (await stat(abs)).size
    const len = Math.min(block(budget * share), size)
    const offset = Math.floor((rng.next() * (size - len)) / 4096) * 4096
    const fh = await open(abs, 'r+')
    await fh.write(bytes(len), 0, len, offset)
    await fh.close()
    summary.bytesChanged += len
    modified.add(rel)
  }
  // Two regions of the embeddings (incompressible), one run of database pages.
  const noise = new NoiseStream(seed, 'change-noise', round)
  await overwrite('models/embeddings.bin', 0.2, (n) => noise.bytes(n))
  await overwrite('models/embeddings.bin', 0.2, (n) => noise.bytes(n))
  await overwrite('data/fixtures.sqlite', 0.1, (n) =>
    Buffer.from(logText(rng, vocab, n, Date.UTC(2026, 0, 1)).slice(0, n), 'latin1'),
  )

  // The dev server kept logging.
  {
    const text = logText(rng, vocab, Math.round(budget * 0.15), Date.UTC(2026, 0, 2))
    const fh = await open(path.join(root, 'logs/dev-server.log'), 'a')
    await fh.write(text)
    await fh.close()
    summary.bytesChanged += Buffer.byteLength(text)
    modified.add('logs/dev-server.log')
  }

  // Source files rewritten (edits in a small file re-store the whole file anyway).
  const sources = await filesUnder(root, 'app/src')
  {
    let used = 0
    while (used < budget * 0.15 && sources.length > 0) {
      const rel = sources[rng.int(0, sources.length - 1)] as string
      if (modified.has(rel)) continue
      const size = Math.max(200, (await stat(path.join(root, rel))).size)
      const text = sourceText(new Rng(seed, rel, 'edit', round), vocab, size)
      await writeFile(path.join(root, rel), text)
      used += Buffer.byteLength(text)
      modified.add(rel)
    }
    summary.bytesChanged += used
  }

  // New files: source, git objects, an asset.
  const added: string[] = []
  const add = async (rel: string, content: Buffer | string) => {
    const abs = path.join(root, rel)
    await mkdir(path.dirname(abs), { recursive: true })
    await writeFile(abs, content)
    added.push(rel)
    summary.bytesChanged += Buffer.byteLength(content)
  }
  {
    let used = 0
    for (let i = 0; used < budget * 0.06; i++) {
      const text = sourceText(
        new Rng(seed, 'new-source', round, i),
        vocab,
        rng.logNormal(6000, 0.8, 200, 60_000),
      )
      await add(`app/src/feature-${round}/${rng.pickSkewed(vocab)}-${i}.ts`, text)
      used += text.length
    }
    used = 0
    for (let i = 0; used < budget * 0.04; i++) {
      const bytes = noise.bytes(rng.logNormal(8000, 0.8, 100, 100_000))
      const name = bytes.subarray(0, 20).toString('hex')
      await add(`app/.git/objects/${name.slice(0, 2)}/${name.slice(2)}`, bytes)
      used += bytes.length
    }
    await add(`app/assets/img/screenshot-${round}.png`, noise.bytes(block(budget * 0.1)))
  }

  // A few deletions.
  for (let i = 0; i < 5 && sources.length > 0; i++) {
    const rel = sources[rng.int(0, sources.length - 1)] as string
    if (modified.has(rel)) continue
    await rm(path.join(root, rel), { force: true })
    summary.filesDeleted++
  }

  for (const rel of added) {
    for (let p = rel; p !== '.'; p = path.dirname(p)) {
      await lchown(path.join(root, p), owner.uid, owner.gid)
    }
  }
  await chown(root, owner.uid, owner.gid)
  summary.filesModified = modified.size
  summary.filesAdded = added.length
  summary.share = summary.bytesChanged / datasetBytes
  return summary
}
