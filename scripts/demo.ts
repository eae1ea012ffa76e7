// `npm run demo`: the local cloud and the headless host, wired to each other. The host runs as a
// child (through scripts/serve.mjs, which builds when needed) with the local cloud's Secret Service
// and a fresh data directory, so a demo never touches the user's own keyring or Cairn data.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalCloud } from '../cloud/index'

const cloud = await startLocalCloud()
const dataDir = await mkdtemp(join(tmpdir(), 'cairn-demo-'))
const { hetzner, s3, keyring } = cloud

console.log(
  [
    'Cairn demo: the local cloud is up.',
    '',
    'The page opens on the guided setup. When it asks (or later in Settings):',
    '',
    'Hetzner Cloud API token (the fake API accepts only this one):',
    `  ${hetzner.token}`,
    '',
    'Storage: choose S3 / Cloudflare R2 and enter (or pick any empty local folder):',
    `  endpoint ${s3.endpoint}   bucket ${s3.bucket}   region ${s3.region}`,
    `  access key id ${s3.accessKeyId}   secret access key ${s3.secretAccessKey}`,
    '',
    `Demo data directory (removed on exit): ${dataDir}`,
    'Workspaces you create appear in its ssh config (your ~/.ssh/config is left alone):',
    `  ssh -F ${join(dataDir, 'ssh-config')} cairn-<name>`,
    '',
  ].join('\n'),
)

const host = spawn(
  process.execPath,
  [join(import.meta.dirname, 'serve.mjs'), '--data-dir', dataDir, '--hetzner-api', hetzner.url],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...keyring.env,
      // The fake VMs' SSH port (22 only when this machine's own sshd does not hold it).
      CAIRN_VM_SSH_PORT: String(hetzner.sshPort),
      CAIRN_SSH_CONFIG: join(dataDir, 'ssh-config'),
    },
  },
)

let stopping = false
async function shutdown(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  if (host.exitCode === null) {
    host.kill('SIGTERM')
    await new Promise((resolve) => host.once('exit', resolve))
  }
  await cloud.stop()
  await rm(dataDir, { recursive: true, force: true })
  process.exit(code)
}
host.on('exit', (code) => void shutdown(code ?? 1))
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))
