import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { defaultDataDir } from './data-dir'

export interface HostArgs {
  port: number
  dataDir: string
  hetznerApi: string | undefined
  help: boolean
}

export const HOST_USAGE = `Usage: cairn-host [options]

Runs Cairn without Electron and serves it to a browser on this machine (127.0.0.1 only).

Options:
  --port <n>          TCP port (default: a free one)
  --data-dir <dir>    where settings live (default: $CAIRN_DATA_DIR or the desktop app's folder)
  --hetzner-api <url> Hetzner Cloud API base URL (e.g. a local stand-in for tests)
  -h, --help          show this help
`

/** Throws an Error whose message is meant for the user, followed by the usage. */
export function parseHostArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): HostArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'hetzner-api': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === '') {
    throw new Error(`--port must be a whole number from 0 to 65535, not "${values.port}".`)
  }
  const hetznerApi = values['hetzner-api']
  if (hetznerApi !== undefined && !/^https?:\/\/[^\s]+$/.test(hetznerApi)) {
    throw new Error('--hetzner-api must be an http(s) URL.')
  }
  const dataDir = values['data-dir'] ?? defaultDataDir(env)
  return { port, dataDir: resolve(dataDir), hetznerApi, help: values.help ?? false }
}
