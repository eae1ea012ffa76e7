import { CommanderError } from 'commander'
import { CairnError } from '../shared/errors'
import { EXIT, exitCodeFor } from './exit-codes'
import { CommandContext, type CliIo } from './io'
import { buildProgram, type Runner } from './program'
import { madeRequests, requestSummary, SUMMARIZED, withRequests } from './request-summary'

/**
 * Runs one `cairn` command line and returns its exit code. Results go to stdout (text, or one
 * JSON document with --json); notes, progress and errors go to stderr (with --json, an error is
 * a JSON document `{"error": {code, message, details?}}` on stdout instead). Errors show their
 * message only: no stack (CAIRN_DEBUG=1 adds it for unexpected ones).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok
  const run: Runner = async (json, body) => {
    const ctx = new CommandContext(io, json)
    try {
      const output = await body(ctx)
      if (json) io.stdout.write(`${JSON.stringify(withRequests(output.json, ctx), null, 2)}\n`)
      else if (output.text) io.stdout.write(`${output.text}\n`)
      if (!json && io.stderr.isTTY && SUMMARIZED.has(argv[0] ?? '') && madeRequests(ctx))
        io.stderr.write(`${requestSummary(ctx.requests)}\n`)
      exitCode = output.exitCode ?? EXIT.ok
    } catch (error) {
      exitCode = io.signal.aborted ? EXIT.cancelled : exitCodeFor(error)
      reportError(io, json, error, exitCode)
    }
  }
  const program = buildProgram(run, {
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with 0; everything else is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    throw error
  }
  return exitCode
}

function reportError(io: CliIo, json: boolean, error: unknown, exitCode: number): void {
  const cancelled = exitCode === EXIT.cancelled
  const wire =
    error instanceof CairnError
      ? error.toWire()
      : {
          code: cancelled ? ('cancelled' as const) : ('internal' as const),
          message: cancelled
            ? 'Cancelled.'
            : `Cairn hit an unexpected problem: ${error instanceof Error ? error.message : String(error)}`,
        }
  if (cancelled && wire.code !== 'cancelled') {
    wire.code = 'cancelled'
    wire.message = 'Cancelled.'
  }
  if (json) {
    io.stdout.write(`${JSON.stringify({ error: wire, exitCode }, null, 2)}\n`)
  } else {
    io.stderr.write(`cairn: ${wire.message}\n`)
  }
  if (io.env.CAIRN_DEBUG && !(error instanceof CairnError) && error instanceof Error) {
    io.stderr.write(`${error.stack ?? ''}\n`)
  }
}
