import { z } from 'zod'
import { jobSchema } from './jobs'
import { restorePointRefSchema, workspaceIdSchema } from './backup'

/**
 * What the restore point panel does with one restore point besides browsing: download a file or
 * folder to the machine the core runs on, and restore into the running workspace. Described in
 * docs/restore-ui.md.
 */

const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^\/[^\0]*$/, 'an absolute path, like /home/me/Downloads')

/** A path inside a restore point as browse shows it ('' = the whole restore point). */
const pointPath = z.string().max(4096)

export const downloadInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    restorePoint: restorePointRefSchema,
    path: pointPath.default(''),
    /** Default: the Downloads folder of the machine the core runs on. */
    targetDir: absolutePath.optional(),
  })
  .strict()

export const downloadOutputSchema = z.object({
  job: jobSchema,
  /**
   * Where it is being written: a name of its own in the folder (`name (2).txt` when `name.txt`
   * exists), reserved before the job starts; nothing existing is ever replaced.
   */
  savedTo: z.string(),
  /** The folder it goes into. */
  folder: z.string(),
  type: z.enum(['file', 'dir']),
})
export type DownloadOutput = z.infer<typeof downloadOutputSchema>

export const workspaceRestoreInputSchema = z
  .object({
    id: workspaceIdSchema,
    restorePoint: restorePointRefSchema,
    /** Restore only these paths (as browse shows them); empty: the whole restore point. */
    include: z.array(z.string().min(1).max(4096)).max(1000).default([]),
    /** Must be true: restored files replace the workspace's files at the same paths. */
    overwrite: z.boolean(),
  })
  .strict()
