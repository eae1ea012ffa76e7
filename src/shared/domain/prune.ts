import { z } from 'zod'
import { requestCountsSchema } from './costs'

// Same rule as backup.ts's workspaceIdSchema (not imported: backup.ts imports this file).
const workspaceIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'a workspace id is 1-64 letters, digits, "-" or "_", starting with a letter or digit',
  )

export const pruneInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    /** List what would be deleted and repacked, change nothing (takes no lease). */
    dryRun: z.boolean().default(false),
    /** Repack a pack when more than this share of its bytes is unreferenced (default 0.3). */
    maxUnusedShare: z.number().min(0).max(1).optional(),
  })
  .strict()
export type PruneInput = z.infer<typeof pruneInputSchema>

const packSchema = z.object({ id: z.string(), size: z.number() })

/** What a prune did (or, in a dry run, would do); jobs.result of a "prune" job. */
export const pruneJobResultSchema = z.object({
  kind: z.literal('prune'),
  workspaceId: z.string(),
  dryRun: z.boolean(),
  restorePoints: z.number(),
  referencedBlobs: z.number(),
  packsBefore: z.number(),
  packsAfter: z.number(),
  /** Bytes of packs before and after (a dry run: an estimate after). */
  bytesBefore: z.number(),
  bytesAfter: z.number(),
  bytesFreed: z.number(),
  /** Packs that held no referenced blob. */
  removedPacks: z.array(packSchema),
  /** Packs whose referenced blobs were copied into new packs, then deleted. */
  repackedPacks: z.array(packSchema.extend({ usedBytes: z.number() })),
  /** Packs no index listed (an interrupted backup's), older than the grace period. */
  unindexedPacksDeleted: z.array(packSchema),
  /** Packs no index listed, kept because they are recent (a backup may still adopt them). */
  unindexedPacksKept: z.array(packSchema),
  newPacks: z.array(packSchema),
  bytesRepacked: z.number(),
  indexFilesWritten: z.number(),
  indexFilesDeleted: z.number(),
  durationMs: z.number(),
  requests: requestCountsSchema.optional(),
})
export type PruneJobResult = z.infer<typeof pruneJobResultSchema>
