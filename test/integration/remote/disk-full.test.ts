import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { restoreToRemote, type RestoreEntry } from '../../../src/main/core/remote/restore-writer'
import { connectSsh, type SshConnection } from '../../../src/main/core/ssh/connection'
import { CairnError } from '../../../src/shared/errors'
import { startPrivateSshd, type PrivateSshd } from '../../support/private-sshd'
import { hostLabel } from '../../support/ssh-names'

// A full disk needs a small file system under the server's feet. The local cloud's VMs live in
// their own mount namespaces (a mount made here would not reach them), so this test uses a private
// sshd in this namespace with a 1 MiB tmpfs as the restore target.

let sshd: PrivateSshd
let conn: SshConnection
let small: string

beforeAll(async () => {
  sshd = await startPrivateSshd()
  small = path.join(sshd.dataDir, 'small')
  fs.mkdirSync(small)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'cairn-test', small])
  conn = await connectSsh({
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.clientKey,
    hostKey: sshd.hostPublicKey,
  })
})

afterAll(async () => {
  await conn?.close()
  if (small) execFileSync('umount', [small])
  await sshd?.stop()
})

function file(name: string, size: number): RestoreEntry {
  return {
    path: Buffer.from(name),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeNs: 1_700_000_000_000_000_000n,
    size,
    content: (async function* () {
      for (let left = size; left > 0; left -= 64 * 1024)
        yield Buffer.alloc(Math.min(left, 64 * 1024), 7)
    })(),
  }
}

it('reports a full disk on the target with the path that failed and what was restored', async () => {
  const entries = [
    file('first.txt', 1000),
    file('second.txt', 2000),
    file('too-big.bin', 3 * 1024 * 1024),
    file('after.txt', 10),
  ]
  const err = await restoreToRemote(conn, `${small}/restore`, entries).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(CairnError)
  const e = err as CairnError
  expect(e.code).toBe('remote_error')
  expect(e.details?.reason).toBe('no_space')
  expect(e.details?.failedPath).toBe(`${small}/restore/too-big.bin`)
  expect(e.details?.restoredEntries).toBe(2)
  expect(e.message).toContain(
    `The disk of ${hostLabel(sshd.host, sshd.port)} is full: Cairn could not write ${small}/restore/too-big.bin.`,
  )
  expect(fs.readFileSync(path.join(small, 'restore/first.txt')).length).toBe(1000)
  expect(fs.readFileSync(path.join(small, 'restore/second.txt')).length).toBe(2000)
  // The connection survives for the next attempt.
  expect((await conn.run('echo ok')).stdout.toString()).toBe('ok\n')
})
