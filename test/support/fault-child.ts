/**
 * A backup or prune in its own process, for the fault loop to kill (SIGKILL) at a random moment:
 * `node --import tsx test/support/fault-child.ts '<json>'`. Prints "ready" once the repository is
 * open (the operation starts right after), "done" when it finished. Its lease lives 3 s (renewed
 * every second), so the parent can go on soon after a kill.
 */
import { localSource, runBackup } from '../../src/main/core/backup'
import {
  acquireLease,
  openRepository,
  openWorkspace,
  pruneWorkspace,
} from '../../src/main/core/repo'
import { S3Store } from '../../src/main/core/storage/s3-store'

interface ChildJob {
  op: 'backup' | 'prune'
  store: ConstructorParameters<typeof S3Store>[0]
  masterKeyHex: string
  /** backup: the local folder and the restore point's tag. */
  dir?: string
  tag?: string
}

const job = JSON.parse(process.argv[2]!) as ChildJob
const store = new S3Store(job.store)
const workspace = await openWorkspace(
  await openRepository(store, Buffer.from(job.masterKeyHex, 'hex')),
  'ws',
)
process.stdout.write('ready\n')
if (job.op === 'backup') {
  // The backup's own lease lives 3 minutes; this one 3 s, so a kill blocks the parent briefly.
  const lease = await acquireLease(workspace, {
    holder: 'fault child backup',
    hostname: 'fault-child',
    ttlMs: 3_000,
  })
  lease.keepAlive(1_000)
  await runBackup({
    workspace,
    source: localSource(),
    paths: [job.dir!],
    trigger: 'manual',
    tags: [job.tag!],
    writer: { packSize: 256 * 1024 },
    lease: false,
  })
  await lease.release()
} else {
  await pruneWorkspace(workspace, {
    holder: 'fault child prune',
    hostname: 'fault-child',
    unindexedGraceMs: 0,
    packTargetSize: 256 * 1024,
    leaseTtlMs: 3_000,
  })
}
process.stdout.write('done\n')
store.destroy()
