// The `cairn` command line (bin/cairn.js runs the built out/main/cli.js). See docs/cli.md.
import { CairnError } from '../shared/errors'
import { EXIT } from './exit-codes'
import { runCli } from './run'

// The AWS SDK warns on every run that future versions will need a newer Node. That is for
// Cairn's maintainers, not for someone running a backup; other warnings still show.
const emitWarning = process.emitWarning.bind(process)
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message
  if (/NodeVersionSupportWarning/.test(`${text} ${JSON.stringify(rest)}`)) return
  ;(emitWarning as (...args: unknown[]) => void)(warning, ...rest)
}) as typeof process.emitWarning

const controller = new AbortController()
let interrupts = 0

// First Ctrl-C: cancel cleanly (the pipelines stop, nothing half-written becomes visible).
// Second: stop at once; the repository is still consistent, only cleanup is skipped.
function onSignal(signal: NodeJS.Signals): void {
  interrupts++
  if (interrupts > 1) process.exit(EXIT.cancelled)
  if (signal === 'SIGINT') {
    process.stderr.write('\nCancelling… (press Ctrl-C again to stop at once)\n')
  }
  controller.abort(new CairnError('cancelled', 'Cancelled.'))
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

// `cairn snapshots | head`: the reader went away, which is how pipes end, not a crash. Whatever
// is running is cancelled the clean way, as on Ctrl-C, and the command ends normally.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  if (!controller.signal.aborted) controller.abort(new CairnError('cancelled', 'Output closed.'))
})

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
})
process.exitCode = code
// Whatever still holds the event loop (a keychain call, a socket closing) must not keep a
// finished command alive; stdout and stderr are already written (synchronous on pipes and files).
setTimeout(() => process.exit(code), 250).unref()
