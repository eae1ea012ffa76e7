import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { version } from '../../../package.json'
import { dispatch } from '../core/api/dispatch'
import { createCore } from '../core/app'
import { workspaceOptionsFromEnv } from '../core/workspaces/env-options'
import { HOST_USAGE, parseHostArgs, type HostArgs } from './args'
import { startHost } from './server'

// Built to out/main/host.js; the renderer is built next to it, in out/renderer.
const rendererDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer')

async function main(): Promise<void> {
  let args: HostArgs
  try {
    args = parseHostArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HOST_USAGE}`)
    process.exit(2)
  }
  if (args.help) {
    process.stdout.write(HOST_USAGE)
    return
  }

  const core = await createCore({
    dataDir: args.dataDir,
    host: 'headless',
    version,
    workspaces: workspaceOptionsFromEnv(process.env),
  })
  if (args.hetznerApi !== undefined) {
    const result = await dispatch(
      core.handlers,
      'settings.setHetznerApiBase',
      { url: args.hetznerApi },
      { host: 'headless' },
    )
    if (!result.ok) {
      await core.dispose()
      throw new Error(`--hetzner-api: ${result.error.message}`)
    }
  }
  const host = await startHost({
    dataDir: args.dataDir,
    port: args.port,
    rendererDir,
    core,
    reportError: (method, error) => core.logger.error(`unexpected error in ${method}`, error),
  })

  process.stdout.write(
    `Cairn ${version} is running (data: ${args.dataDir}).\n` +
      `Open this link in a browser on this machine. It holds this run's access key: ` +
      `do not share it.\n\n  ${host.url}\n\nPress Ctrl+C to stop.\n`,
  )

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`Second ${signal}: exiting without finishing cleanup.\n`)
      process.exit(1)
    }
    stopping = true
    process.stdout.write('Stopping Cairn…\n')
    // "Stop every running workspace when Cairn quits" runs before the page goes away, so a
    // failed stop (the server kept) is in the log and the job history.
    core
      .stopOnQuit()
      .catch((error: unknown) => core.logger.error('stopping workspaces on quit failed', error))
      .then(() => host.close())
      .then(() => core.dispose())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`Cairn could not start: ${message}\n`)
  process.exit(1)
})
