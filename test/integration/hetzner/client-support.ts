import type { LogFields, Logger } from '../../../src/main/core/logging/logger'
import {
  HetznerClient,
  type HetznerClientOptions,
} from '../../../src/main/core/hetzner/hetzner-client'
import type { RetryPolicy } from '../../../src/main/core/net/retry'
import type { newHetznerProject } from '../../support/cloud-info'
import { hetznerControl } from '../../support/cloud-info'

/** Short waits, same shape as the background policy: tests stay fast, behaviour stays the same. */
export const fastPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 20,
  maxDelayMs: 200,
  maxTotalMs: 10_000,
}

export type Project = Awaited<ReturnType<typeof newHetznerProject>>

/** Every log call, raw (before any redaction), so a test can check nothing secret went in. */
export class CapturingLogger implements Logger {
  readonly lines: Array<{ level: string; message: string; fields?: unknown }> = []
  debug(message: string, fields?: LogFields) {
    this.lines.push({ level: 'debug', message, fields })
  }
  info(message: string, fields?: LogFields) {
    this.lines.push({ level: 'info', message, fields })
  }
  warn(message: string, fields?: LogFields) {
    this.lines.push({ level: 'warn', message, fields })
  }
  error(message: string, error?: unknown, fields?: LogFields) {
    const e = error instanceof Error ? { name: error.name, message: error.message } : error
    this.lines.push({ level: 'error', message, fields: { ...fields, error: e } })
  }
  text(): string {
    return JSON.stringify(this.lines)
  }
}

export function clientFor(
  project: Project,
  options: Partial<HetznerClientOptions> = {},
): HetznerClient {
  return new HetznerClient({
    baseUrl: project.url,
    token: project.token,
    retry: fastPolicy,
    ...options,
  })
}

export const control = () => hetznerControl()

let counter = 0
/** A server name unique within the test run. */
export function serverName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`
}
