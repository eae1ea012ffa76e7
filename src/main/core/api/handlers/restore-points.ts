import type { Handlers } from '../dispatch'
import { browse } from '../../backup'
import { openSnapshotReader, openWorkspace } from '../../repo'
import type { CoreServices } from '../../services'
import { backupContext } from './backup-context'
import { listRestorePoints, toBrowseOutput } from './restore-points-view'

export function restorePointsHandlers(
  s: CoreServices,
): Pick<Handlers, 'restorePoints.list' | 'restorePoints.browse'> {
  const context = backupContext(s)
  return {
    'restorePoints.list': async ({ workspaceId }, ctx) => {
      const { repo, close } = await context.openRepository(ctx.signal)
      try {
        return await listRestorePoints(repo, workspaceId ? [workspaceId] : null, ctx.signal)
      } finally {
        close()
      }
    },

    'restorePoints.browse': async (input, ctx) => {
      const { repo, close } = await context.openRepository(ctx.signal)
      try {
        const signal = ctx.signal ? { signal: ctx.signal } : {}
        const workspace = await openWorkspace(repo, input.workspaceId, signal)
        const reader = await openSnapshotReader(workspace, signal)
        return toBrowseOutput(
          await browse({ reader, snapshotId: input.restorePoint, path: input.path, ...signal }),
        )
      } finally {
        close()
      }
    },
  }
}
