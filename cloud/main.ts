import { parseArgs } from 'node:util'
import { startLocalCloud } from './index'
import type { LocalCloudOptions } from './index'

// `npm run cloud:local`: starts the local cloud, prints how to reach it, runs until Ctrl-C.

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    'ssh-port': { type: 'string' },
    's3-port': { type: 'string' },
    bucket: { type: 'string' },
    'action-ms': { type: 'string' },
    'boot-delay-ms': { type: 'string' },
    'no-vms': { type: 'boolean' },
    'no-s3': { type: 'boolean' },
    'no-keyring': { type: 'boolean' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})

if (values.help) {
  console.log(`Usage: npm run cloud:local -- [options]

  --port N            fake Hetzner API port on 127.0.0.1 (default: a free one)
  --token T           API token of the default project (default: generated)
  --ssh-port N        SSH port of fake VMs (default: 22 if free on 127.0.0.x, else 2222)
  --action-ms N       duration of API actions (default 200)
  --boot-delay-ms N   extra "initializing" time after sshd listens (default 0)
  --s3-port N         s3rver port (default: a free one)
  --bucket NAME       bucket to create (default cairn-test)
  --no-vms            servers get no real sshd (API only, no root needed)
  --no-s3 / --no-keyring   skip those parts
  --verbose           log API internals
`)
  process.exit(0)
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))

const options: LocalCloudOptions = {
  hetzner: {
    port: num(values.port),
    token: values.token,
    actionDurationMs: num(values['action-ms']),
    bootDelayMs: num(values['boot-delay-ms']),
    vms: values['no-vms'] ? false : { sshPort: num(values['ssh-port']) },
    log: values.verbose ? (m) => console.error(`[hetzner] ${m}`) : undefined,
  },
  s3: values['no-s3'] ? false : { port: num(values['s3-port']), bucket: values.bucket },
  keyring: values['no-keyring'] ? false : {},
}

const cloud = await startLocalCloud(options)
const { hetzner, s3, keyring } = cloud
const lines: string[] = ['Cairn local cloud is running. Ctrl-C stops everything it started.', '']
if (hetzner) {
  lines.push(
    'Hetzner Cloud API (fake)',
    `  URL:            ${hetzner.url}`,
    `  token:          ${hetzner.token}`,
    `  control:        ${hetzner.controlUrl}  (Bearer ${hetzner.controlToken})`,
    `  VM ssh port:    ${hetzner.sshPort}${hetzner.sshPort === 22 ? '' : `  (22 is taken on this machine: start Cairn with CAIRN_VM_SSH_PORT=${hetzner.sshPort})`}`,
    `  try:            curl -H "Authorization: Bearer ${hetzner.token}" ${hetzner.url}/server_types`,
    '',
  )
}
if (s3) {
  lines.push(
    'S3 (s3rver, R2 behaviours)',
    `  endpoint:       ${s3.endpoint}`,
    `  region:         ${s3.region}   (path-style addressing)`,
    `  bucket:         ${s3.bucket}`,
    `  access key:     ${s3.accessKeyId}`,
    `  secret key:     ${s3.secretAccessKey}`,
    '',
  )
}
if (keyring) {
  lines.push('Secret Service (private gnome-keyring); to use it from a shell:')
  for (const [k, v] of Object.entries(keyring.env)) lines.push(`  export ${k}='${v}'`)
  lines.push('')
}
console.log(lines.join('\n'))

let stopping = false
const shutdown = (signal: string) => {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping the local cloud...`)
  cloud.stop().then(
    () => {
      console.log('Stopped.')
      process.exit(0)
    },
    (error: unknown) => {
      console.error('Stopped with errors:', (error as Error).message)
      process.exit(1)
    },
  )
}
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGHUP', () => shutdown('SIGHUP'))
