import { z } from 'zod'
import { wireErrorSchema } from '../errors'

export const jobKinds = [
  'create',
  'backup',
  'restore',
  'verify',
  'stop',
  'start',
  'delete',
  'prune',
  'check',
  'storage-test',
] as const
export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const

export const jobSchema = z.object({
  id: z.string(),
  workspaceId: z.string().nullable(),
  kind: z.enum(jobKinds),
  title: z.string(),
  state: z.enum(jobStates),
  phase: z.string(),
  filesDone: z.number(),
  filesTotal: z.number().nullable(),
  bytesDone: z.number(),
  bytesTotal: z.number().nullable(),
  currentPath: z.string().nullable(),
  /** bytes per second, smoothed */
  rate: z.number().nullable(),
  /** seconds left, from the rate and the totals; null when unknown */
  eta: z.number().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: wireErrorSchema.nullable(),
})
export type Job = z.infer<typeof jobSchema>
export type JobKind = Job['kind']
export type JobState = Job['state']
