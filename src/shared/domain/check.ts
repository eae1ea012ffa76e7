import { z } from 'zod'
import { requestCountsSchema } from './costs'

// Same rule as backup.ts's workspaceIdSchema (not imported: backup.ts imports this file).
const workspaceIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'a workspace id is 1-64 letters, digits, "-" or "_", starting with a letter or digit',
  )

export const repositoryCheckInputSchema = z
  .object({
    /** One workspace; all of the repository's when left out. */
    workspaceId: workspaceIdSchema.optional(),
    /** Share of data blobs to read and authenticate, 0..1 (0: trees and the index only). */
    readData: z.number().min(0).max(1).default(0),
  })
  .strict()

export const checkProblemSchema = z.object({
  /**
   * index: an index file is damaged; snapshot: a restore point's file is damaged; pack: a pack is
   * missing, has the wrong size or a header that does not match the index; tree/data: a blob a
   * restore point needs is damaged; missing: a blob a restore point needs is in no index or its
   * pack is gone.
   */
  kind: z.enum(['index', 'snapshot', 'pack', 'tree', 'data', 'missing']),
  /** "index/<id>", "snapshot/<id>", "pack/<id>" or "blob/<id>". */
  object: z.string(),
  message: z.string(),
  /** Restore points that need the object. */
  restorePoints: z.array(z.string()),
  /** Files and folders affected, relative to the restore point. */
  paths: z.array(z.string()),
})
export type CheckProblemView = z.infer<typeof checkProblemSchema>

export const workspaceCheckSchema = z.object({
  workspaceId: z.string(),
  ok: z.boolean(),
  indexFiles: z.number(),
  packs: z.number(),
  restorePoints: z.number(),
  treesChecked: z.number(),
  dataBlobs: z.number(),
  dataBlobsChecked: z.number(),
  bytesChecked: z.number(),
  /** Packs no index knows: left by an interrupted backup; not damage, `repairIndex` adopts them. */
  orphanPacks: z.array(z.object({ id: z.string(), size: z.number() })),
  problems: z.array(checkProblemSchema),
})
export type WorkspaceCheck = z.infer<typeof workspaceCheckSchema>

export const checkJobResultSchema = z.object({
  kind: z.literal('check'),
  ok: z.boolean(),
  readData: z.number(),
  workspaces: z.array(workspaceCheckSchema),
  durationMs: z.number(),
  requests: requestCountsSchema.optional(),
})

export const repairIndexInputSchema = z.object({ workspaceId: workspaceIdSchema }).strict()

export const repairIndexResultSchema = z.object({
  kind: z.literal('repair-index'),
  workspaceId: z.string(),
  /** Packs whose headers were read and added to the index. */
  indexed: z.array(z.object({ id: z.string(), size: z.number() })),
  blobsAdded: z.number(),
  /** Packs that could not be read (left in place, never deleted). */
  failed: z.array(z.object({ id: z.string(), message: z.string() })),
  indexFiles: z.array(z.string()),
  /** Damaged index files moved to workspaces/<id>/damaged/index/ (kept, no longer loaded). */
  movedIndexFiles: z.array(z.string()),
  requests: requestCountsSchema.optional(),
})
export type RepairIndexResult = z.infer<typeof repairIndexResultSchema>
