import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { jobSchema, type Job } from '../../../shared/domain/jobs'
import { atomicWriteFile } from '../fs/atomic-write'

export const JOBS_FILE = 'jobs.json'
const JOBS_SCHEMA_VERSION = 1

const fileSchema = z.object({ schemaVersion: z.number().int(), jobs: z.array(z.unknown()) })

export interface LoadedHistory {
  jobs: Job[]
  /** False when the file is from a newer Cairn: it is then left as it is. */
  writable: boolean
}

/**
 * Reads `<dataDir>/jobs.json`. A job still marked running there was cut off by a crash or power
 * loss: it is reported as failed with code `interrupted` so the user learns about it.
 */
export async function loadJobHistory(dataDir: string, now: Date): Promise<LoadedHistory> {
  let text: string
  try {
    text = await readFile(join(dataDir, JOBS_FILE), 'utf8')
  } catch {
    return { jobs: [], writable: true }
  }
  let doc: z.infer<typeof fileSchema>
  try {
    doc = fileSchema.parse(JSON.parse(text))
  } catch {
    // Only history is lost; the file is rewritten on the next job.
    return { jobs: [], writable: true }
  }
  if (doc.schemaVersion > JOBS_SCHEMA_VERSION) return { jobs: [], writable: false }
  const jobs: Job[] = []
  for (const raw of doc.jobs) {
    const parsed = jobSchema.safeParse(raw)
    if (!parsed.success) continue
    const job = parsed.data
    if (job.state === 'running' || job.state === 'queued') {
      jobs.push({
        ...job,
        state: 'failed',
        phase: job.phase,
        rate: null,
        eta: null,
        finishedAt: now.toISOString(),
        error: {
          code: 'interrupted',
          message:
            'Cairn stopped while this job was running (it was interrupted), so it did not finish. Start it again.',
        },
      })
    } else {
      jobs.push(job)
    }
  }
  return { jobs, writable: true }
}

export async function saveJobHistory(dataDir: string, jobs: Job[]): Promise<void> {
  const text = JSON.stringify({ schemaVersion: JOBS_SCHEMA_VERSION, jobs }, null, 1) + '\n'
  await atomicWriteFile(join(dataDir, JOBS_FILE), text)
}
