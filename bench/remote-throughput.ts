/**
 * Throughput of the SSH remote layer alone (no chunking, no encryption, no upload): list a
 * generated workspace and stream every file's content into a counting sink over loopback SSH, for
 * each cipher. Run: node --expose-gc --import tsx bench/remote-throughput.ts [--files 50000] [--mib 1024]
 * Not part of npm test; numbers go to docs/pull-backup.md.
 */
import { mkdir, open, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startPrivateSshd } from '../test/support/private-sshd'
import { connectSsh } from '../src/main/core/ssh/connection'
import { listRemote, type RemoteEntry } from '../src/main/core/remote/list'
import { readRemoteFiles } from '../src/main/core/remote/read-contents'
import { backupRules } from '../src/main/core/remote/default-rules'

const args = process.argv.slice(2)
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : def
}
const FILES = arg('files', 50_000)
const MIB = arg('mib', 1024)

async function generate(dir: string): Promise<void> {
  // Most of the bytes in a few big files, the rest spread over many small ones (like a workspace).
  const bigBytes = Math.floor(MIB * 0.6) << 20
  const smallBytes = (MIB << 20) - bigBytes
  const perSmall = Math.max(1, Math.floor(smallBytes / FILES))
  const blob = randomBytes(1 << 20)
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `d${i % 200}`, `e${i % 7}`)
    if (i < 1400) await mkdir(sub, { recursive: true })
    const off = (i * 7919) % ((1 << 20) - perSmall)
    await writeFile(join(sub, `f${i}.ts`), blob.subarray(off, off + perSmall))
  }
  await mkdir(join(dir, 'big'), { recursive: true })
  for (let i = 0; i < 4; i++) {
    // Written piecewise so the generator's memory does not count against the reader's.
    const file = await open(join(dir, 'big', `blob${i}.bin`), 'w')
    for (let b = 0; b < bigBytes / 4; b += 1 << 20) await file.write(randomBytes(1 << 20))
    await file.close()
  }
}

const sshd = await startPrivateSshd()
const root = join(sshd.dataDir, 'ws')
try {
  const t0 = performance.now()
  await generate(root)
  console.log(
    `generated ${FILES} small files + 4 big, ~${MIB} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
  // Warm the page cache so every cipher sees the same disk state.
  for (const cipher of [
    'aes128-gcm@openssh.com',
    'chacha20-poly1305@openssh.com',
    'aes128-ctr',
    'aes128-gcm@openssh.com',
  ]) {
    const conn = await connectSsh({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.clientKey,
      hostKey: sshd.hostPublicKey,
      ciphers: [cipher],
    })
    const l0 = performance.now()
    const files: RemoteEntry[] = []
    let entries = 0
    for await (const e of listRemote(conn, [root], { rules: [] })) {
      entries++
      if (e.type === 'file') files.push(e)
    }
    const listMs = performance.now() - l0
    const d0 = performance.now()
    let kept = 0
    for await (const e of listRemote(conn, [root], { rules: backupRules() })) if (e) kept++
    const defaultRulesMs = performance.now() - d0
    ;(globalThis as { gc?: () => void }).gc?.()
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const cpu0 = process.cpuUsage()
    const r0 = performance.now()
    const reader = readRemoteFiles(conn, files)
    let bytes = 0
    for await (const f of reader.files()) for await (const chunk of f.content) bytes += chunk.length
    const summary = await reader.summary
    const readMs = performance.now() - r0
    clearInterval(sampler)
    const cpu = process.cpuUsage(cpu0)
    const cpuShare = ((cpu.user + cpu.system) / 1000 / readMs) * 100
    await conn.close()
    console.log(
      `${cipher.padEnd(30)} list ${entries} entries ${listMs.toFixed(0)} ms (${((entries / listMs) * 1000).toFixed(0)}/s) | ` +
        `read ${summary.files} files ${(bytes / 2 ** 20).toFixed(0)} MiB ${(readMs / 1000).toFixed(2)} s = ` +
        `${(bytes / 2 ** 20 / (readMs / 1000)).toFixed(0)} MiB/s, ${((summary.files / readMs) * 1000).toFixed(0)} files/s | ` +
        `desktop cpu ${cpuShare.toFixed(0)}% of one core | peak rss while reading ${(peak / 2 ** 20).toFixed(0)} MiB | ` +
        `list with default rules ${defaultRulesMs.toFixed(0)} ms (${kept} kept)`,
    )
  }
} finally {
  await rm(root, { recursive: true, force: true })
  await sshd.stop()
}
