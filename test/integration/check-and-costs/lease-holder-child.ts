// A desktop that takes a workspace's lease, keeps renewing it, and is then killed (SIGKILL) by
// the test: the crash of a real lease holder. Run with tsx; input in CAIRN_TEST_LEASE (JSON).
import { acquireLease, openRepository, openWorkspace } from '../../../src/main/core/repo'
import { createObjectStore } from '../../../src/main/core/storage/create-store'
import type { StorageConfig } from '../../../src/shared/domain/settings'

interface Input {
  config: StorageConfig
  secretAccessKey: string | null
  masterKeyHex: string
  workspaceId: string
  ttlMs: number
}

const input = JSON.parse(process.env.CAIRN_TEST_LEASE ?? '{}') as Input
const store = createObjectStore(input.config, { secretAccessKey: input.secretAccessKey })
const repo = await openRepository(store, Buffer.from(input.masterKeyHex, 'hex'))
const workspace = await openWorkspace(repo, input.workspaceId)
const lease = await acquireLease(workspace, {
  holder: 'backup job killed-1',
  hostname: 'desk-crashed',
  ttlMs: input.ttlMs,
})
lease.keepAlive(input.ttlMs / 3)
process.stdout.write('held\n')
setInterval(() => {}, 60_000) // keep running (and renewing) until killed
