import type { z } from 'zod'
import {
  isMethodName,
  methods,
  type MethodName,
  type MethodParsedInput,
  type Methods,
} from '../../../shared/contract'
import { CairnError, type WireError } from '../../../shared/errors'
import type { CallResult } from '../../../shared/rpc'

export interface CallContext {
  host: 'electron' | 'headless'
  /** Aborted when the caller goes away (window closed, socket dropped). */
  signal?: AbortSignal
}

/** The core's implementation of the contract: one function per method, typed from the schemas. */
export type Handlers = {
  [M in MethodName]: (
    input: MethodParsedInput<M>,
    ctx: CallContext,
  ) => Promise<z.input<Methods[M]['output']>>
}

export type ErrorReporter = (method: string, error: unknown) => void

/**
 * The single entry point of every transport. Everything that arrives is `unknown`: the method name
 * is checked against the contract, the input parsed by its schema, the output parsed on the way out
 * (so a handler cannot leak a field the contract does not declare), and every failure becomes a
 * `{ code, message }` that is safe to show.
 */
export async function dispatch(
  handlers: Handlers,
  method: unknown,
  input: unknown,
  ctx: CallContext,
  reportError: ErrorReporter = () => {},
): Promise<CallResult> {
  if (!isMethodName(method)) {
    return fail({ code: 'unknown_method', message: 'This version of Cairn has no such method.' })
  }
  const spec = methods[method]
  const parsed = spec.input.safeParse(input ?? {})
  if (!parsed.success) {
    return fail({ code: 'invalid_input', message: describeIssues(parsed.error) })
  }
  try {
    const handler = handlers[method] as (i: unknown, c: CallContext) => Promise<unknown>
    const raw = await handler(parsed.data, ctx)
    const output = spec.output.parse(raw)
    return { ok: true, output }
  } catch (error) {
    if (error instanceof CairnError) return fail(error.toWire())
    reportError(method, error)
    return fail({
      code: 'internal',
      message: 'Cairn hit an unexpected problem. The details are in its log.',
    })
  }
}

function fail(error: WireError): CallResult {
  return { ok: false, error }
}

/** Names the fields that failed and why, never the values (which may be secrets). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'input'
      return `${where}: ${issue.message}`
    })
    .join('; ')
}
