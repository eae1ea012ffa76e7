import { z } from 'zod'
import { settingsViewSchema } from './domain/settings'
import { hetznerCatalogSchema } from './domain/hetzner'
import { storageInputSchema, storageTestResultSchema } from './domain/storage'
import { jobSchema } from './domain/jobs'
import { keychainStatusSchema } from './domain/keychain'

/**
 * The contract between the UI and the core: every method and every event, as zod schemas.
 * The preload client, the Electron IPC handlers, the WebSocket transport and the renderer's types
 * are all derived from this object, so adding a method here is the only way to add one anywhere.
 */
const empty = z.object({}).strict()

export const methods = {
  'app.info': {
    input: empty,
    output: z.object({
      version: z.string(),
      host: z.enum(['electron', 'headless']),
      platform: z.string(),
    }),
  },
  'keychain.status': { input: empty, output: keychainStatusSchema },

  'settings.get': { input: empty, output: settingsViewSchema },
  'settings.setHetznerApiBase': {
    input: z.object({ url: z.url({ protocol: /^https?$/ }).max(500) }).strict(),
    output: settingsViewSchema,
  },

  /** Checks the token against the API and stores it only if the API accepts it. */
  'hetzner.setToken': {
    input: z.object({ token: z.string().trim().min(1).max(200) }).strict(),
    output: hetznerCatalogSchema,
  },
  'hetzner.clearToken': { input: empty, output: settingsViewSchema },
  /** Locations and server types with prices, using the stored token. */
  'hetzner.catalog': { input: empty, output: hetznerCatalogSchema },

  /** A real write, read and delete of a small object; stores nothing. */
  'storage.test': { input: storageInputSchema.strict(), output: storageTestResultSchema },
  /** Tests, then saves the configuration (secret to the keychain) only if the test passed. */
  'storage.save': {
    input: storageInputSchema.strict(),
    output: z.object({ test: storageTestResultSchema, settings: settingsViewSchema }),
  },
  'storage.clear': { input: empty, output: settingsViewSchema },

  'jobs.list': { input: empty, output: z.array(jobSchema) },
  'jobs.cancel': {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: z.object({}),
  },
} as const

export const events = {
  'job.updated': { payload: jobSchema },
  'settings.changed': { payload: settingsViewSchema },
} as const

export type Methods = typeof methods
export type MethodName = keyof Methods
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>

export const methodNames = Object.keys(methods) as MethodName[]
export const eventNames = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}
