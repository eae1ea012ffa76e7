import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runBackup, runRestore, sshSource } from '../../../src/main/core/backup'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import { seededBytes } from '../../support/backup-trees'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { createRepo, scratch, type TestRepo } from './harness'

// A 300 MiB file must stream through backup and restore without being held in memory: the
// resident set may grow by the pipeline's bounded buffers (packs in flight, chunks, read-ahead),
// nowhere near the file's size.

const SIZE = 300 * 1024 * 1024
let vm: TestVm
let conn: SshConnection
let repo: TestRepo
let out: string

beforeAll(async () => {
  vm = await createTestVm('backup-memory')
  conn = await vm.connect()
  repo = await createRepo('folder', 'memory')
  out = scratch('memory-out')
  // Sparse-ish: 1 MiB of random data every 6 MiB, holes between (all of it is read and chunked).
  const dir = path.join(vm.homeDir, 'dev/big')
  fs.mkdirSync(dir)
  const fd = fs.openSync(path.join(dir, 'huge.img'), 'w')
  for (let at = 0; at < SIZE; at += 6 << 20)
    fs.writeSync(fd, seededBytes(at, 1 << 20), 0, 1 << 20, at)
  fs.ftruncateSync(fd, SIZE)
  fs.closeSync(fd)
  fs.chownSync(dir, vm.dev.uid, vm.dev.gid)
  fs.chownSync(path.join(dir, 'huge.img'), vm.dev.uid, vm.dev.gid)
})

afterAll(async () => {
  fs.rmSync(out, { recursive: true, force: true })
  repo?.destroy()
  await conn?.close()
  await vm?.destroy()
})

async function peakGrowth(work: () => Promise<unknown>): Promise<number> {
  global.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  return peak - base
}

it('backs up and restores a 300 MiB file with bounded memory', { timeout: 120_000 }, async () => {
  const MiB = 1024 * 1024
  const backupGrowth = await peakGrowth(() =>
    runBackup({
      workspace: repo.workspace,
      source: sshSource(conn),
      paths: ['/home/dev/big'],
      trigger: 'manual',
    }),
  )
  const restoreGrowth = await peakGrowth(() =>
    runRestore({
      workspace: repo.workspace,
      snapshotId: 'latest',
      target: { kind: 'local', dir: out },
    }),
  )
  console.log(
    `RSS growth for a 300 MiB file: backup ${(backupGrowth / MiB).toFixed(0)} MiB, restore ${(restoreGrowth / MiB).toFixed(0)} MiB`,
  )
  const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex')
  expect(sha(path.join(out, 'huge.img'))).toBe(sha(path.join(vm.homeDir, 'dev/big/huge.img')))
  expect(backupGrowth).toBeLessThan(200 * MiB)
  expect(restoreGrowth).toBeLessThan(200 * MiB)
})
