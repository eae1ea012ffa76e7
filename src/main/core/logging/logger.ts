import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { KnownSecrets } from '../secrets/known-secrets'
import { redact } from './redact'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  /** `error` may be anything thrown; its name, code, message and stack are logged, redacted. */
  error(message: string, error?: unknown, fields?: LogFields): void
}

export interface FileLoggerOptions {
  /** The log goes to `<dir>/cairn.log`; created if missing. */
  dir: string
  known?: KnownSecrets
  /** Rotate to cairn.log.1 when the file grows past this; default 5 MiB. */
  maxBytes?: number
  /** Also write lines here (e.g. stderr in the headless host). */
  echo?: (line: string) => void
}

/**
 * A plain line-per-entry log. Appends synchronously: the volume is small, and the lines written
 * just before a crash are the ones worth having. Every line is redacted before it is written.
 */
export function createFileLogger(options: FileLoggerOptions): Logger & { readonly path: string } {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 })
  const path = join(options.dir, 'cairn.log')
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024
  let written = sizeOf(path)

  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    let line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}`
    if (fields && Object.keys(fields).length) line += ` ${safeJson(fields)}`
    line = redact(line, options.known).replace(/\r?\n/g, '\n    ') + '\n'
    try {
      if (written > maxBytes) {
        renameSync(path, `${path}.1`)
        written = 0
      }
      appendFileSync(path, line, { mode: 0o600 })
      written += Buffer.byteLength(line)
    } catch {
      // Logging must never take the app down (disk full, folder removed under us).
    }
    options.echo?.(line)
  }

  return {
    path,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, error, f) =>
      write('error', m, { ...f, ...(error === undefined ? {} : describeError(error)) }),
  }
}

/** A logger that drops everything, for tests and tools that do not want a file. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

function describeError(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return {
      error: { name: error.name, ...(code === undefined ? {} : { code }), message: error.message },
      stack: error.stack?.split('\n').slice(1, 12).join('\n'),
    }
  }
  return { error: String(error) }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    return '[unserialisable]'
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
