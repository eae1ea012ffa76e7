import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { methodNames } from '../../../src/shared/contract'
import { CairnError } from '../../../src/shared/errors'
import type { Handlers } from '../../../src/main/core/api/dispatch'
import { EventBus } from '../../../src/main/core/api/event-bus'
import type { Core } from '../../../src/main/core/app'

export const SECRET = 'hcloud-token-s3cr3t-do-not-leak'

/**
 * A core made of plain functions: the host and transports are tested against the real dispatch
 * and event bus, with behaviour that is trivial to reason about.
 */
export function fakeCore(overrides: Partial<Handlers> = {}): Core & { events: EventBus } {
  const handlers = {} as Record<string, unknown>
  for (const name of methodNames) {
    handlers[name] = async () => {
      throw new CairnError('not_configured', `${name} is not part of this fake.`)
    }
  }
  Object.assign(handlers, {
    'app.info': async (_input: unknown, ctx: { host: string }) => ({
      version: '9.9.9',
      host: ctx.host,
      platform: 'test',
    }),
    'jobs.list': async () => [],
    'jobs.cancel': async () => {
      throw new Error(`connection to https://api:${SECRET}@example failed`)
    },
    ...overrides,
  })
  return { handlers: handlers as Handlers, events: new EventBus(), dispose: async () => {} }
}

/** A built-renderer stand-in inside a temp dir, with a file beside it that must never be served. */
export async function fakeRenderer(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'cairn-host-'))
  const dir = join(base, 'renderer')
  await mkdir(join(dir, 'assets'), { recursive: true })
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Cairn</title>')
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log("app")')
  await writeFile(join(dir, 'assets', 'app.css'), 'body{}')
  await writeFile(join(dir, '.env'), 'HIDDEN=1')
  await writeFile(join(base, 'secret.txt'), SECRET)
  await symlink(join(base, 'secret.txt'), join(dir, 'assets', 'link.txt'))
  return { dir, cleanup: () => rm(base, { recursive: true, force: true }) }
}
