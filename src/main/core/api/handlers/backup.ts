import { CairnError } from '../../../../shared/errors'
import { describeEndpoint } from '../../../../shared/domain/backup'
import type { Handlers } from '../dispatch'
import { preflightRestoreTarget, runBackup, runRestore, runVerify } from '../../backup'
import { openWorkspace } from '../../repo'
import type { CoreServices } from '../../services'
import { backupContext } from './backup-context'
import { toRestorePoint } from './restore-points-view'

const WARNINGS_KEPT = 200

/**
 * backup.start, restore.start, verify.start: each returns its job at once and runs in the
 * JobRunner (one mutating job per workspace, cancel, progress as job.updated). restore.preflight
 * answers directly. jobs.result gives what a finished job produced.
 */
export function backupHandlers(
  s: CoreServices,
): Pick<
  Handlers,
  'backup.start' | 'restore.preflight' | 'restore.start' | 'verify.start' | 'jobs.result'
> {
  const context = backupContext(s)

  return {
    'backup.start': async (input) => {
      // Fail fast on what can be checked without the network, so the caller gets an error, not a
      // job that fails a moment later.
      await context.configuredStore().then((c) => c.close())
      await context.masterKeys.require()
      return s.jobs.start(
        'backup',
        {
          workspaceId: input.workspaceId,
          title: `Back up ${input.workspaceId} from ${describeEndpoint(input.source)}`,
        },
        async (job) => {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            const workspace = await openWorkspace(repo, input.workspaceId, {
              create: true,
              signal: job.signal,
            })
            const source = await context.source(input.source, job.signal)
            try {
              const result = await runBackup({
                workspace,
                indexCache: context.indexCache(workspace),
                source,
                paths: [input.source.path],
                trigger: input.trigger,
                excludes: input.exclude,
                includes: input.include,
                secretsPolicy: input.includeCredentials ? 'include' : 'exclude-credentials',
                tags: input.tags,
                program: `cairn ${s.version}`,
                lease: { holder: `backup job ${job.id}` },
                signal: job.signal,
                onProgress: job.progress,
              })
              const restorePoint = toRestorePoint(result.snapshot)
              context.setResult(job.id, {
                kind: 'backup',
                restorePoint,
                filesRead: result.stats.filesRead,
                bytesRead: result.stats.bytesRead,
                filesUnchanged: result.stats.filesUnchanged,
                filesSkipped: result.stats.filesSkipped,
                warnings: result.warnings.slice(0, WARNINGS_KEPT),
                warningCount: result.warnings.length,
              })
              s.logger.info('backup finished', {
                workspace: input.workspaceId,
                restorePoint: restorePoint.id,
                filesRead: result.stats.filesRead,
                bytesRead: result.stats.bytesRead,
                warnings: result.warnings.length,
              })
              s.events.emit('restorePoints.changed', {
                workspaceId: input.workspaceId,
                restorePoint,
              })
            } finally {
              await source.close()
            }
          } finally {
            close()
          }
        },
      )
    },

    'restore.preflight': async (input, ctx) => {
      const { repo, close } = await context.openRepository(ctx.signal)
      try {
        const workspace = await openWorkspace(repo, input.workspaceId, { signal: ctx.signal })
        const { target, close: release } = await context.target(input.target, ctx.signal)
        try {
          const result = await preflightRestoreTarget({
            workspace,
            snapshotId: input.restorePoint,
            include: input.include,
            target,
            ...(ctx.signal ? { signal: ctx.signal } : {}),
          })
          return {
            restorePointId: result.snapshotId,
            targetState: result.targetState,
            conflicts: result.conflicts,
            blockedBySymlink: result.blockedBySymlink,
          }
        } finally {
          await release()
        }
      } finally {
        close()
      }
    },

    'restore.start': async (input) => {
      await context.configuredStore().then((c) => c.close())
      await context.masterKeys.require()
      return s.jobs.start(
        'restore',
        {
          workspaceId: input.workspaceId,
          title: `Restore ${input.workspaceId} (${input.restorePoint === 'latest' ? 'latest' : input.restorePoint.slice(0, 8)}) to ${describeEndpoint(input.target)}`,
        },
        async (job) => {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            const workspace = await openWorkspace(repo, input.workspaceId, { signal: job.signal })
            const { target, close: release } = await context.target(input.target, job.signal)
            try {
              const result = await runRestore({
                workspace,
                indexCache: context.indexCache(workspace),
                snapshotId: input.restorePoint,
                include: input.include,
                target,
                overwrite: input.overwrite,
                signal: job.signal,
                onProgress: job.progress,
              })
              context.setResult(job.id, {
                kind: 'restore',
                restorePointId: result.snapshotId,
                files: result.files,
                dirs: result.dirs,
                symlinks: result.symlinks,
                hardlinks: result.hardlinks,
                bytes: result.bytes,
                refused: result.refused,
                warnings: result.warnings,
                durationMs: result.durationMs,
              })
              s.logger.info('restore finished', {
                workspace: input.workspaceId,
                restorePoint: result.snapshotId,
                files: result.files,
                refused: result.refused.length,
              })
            } finally {
              await release()
            }
          } finally {
            close()
          }
        },
      )
    },

    'verify.start': async (input) => {
      await context.configuredStore().then((c) => c.close())
      await context.masterKeys.require()
      return s.jobs.start(
        'verify',
        {
          workspaceId: input.workspaceId,
          title: `Verify ${input.workspaceId} (${input.restorePoint === 'latest' ? 'latest' : input.restorePoint.slice(0, 8)})`,
        },
        async (job) => {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            const workspace = await openWorkspace(repo, input.workspaceId, { signal: job.signal })
            const result = await runVerify({
              workspace,
              snapshotId: input.restorePoint,
              share: input.share,
              signal: job.signal,
              onProgress: job.progress,
            })
            const { snapshotId, ...report } = result
            context.setResult(job.id, { kind: 'verify', restorePointId: snapshotId, ...report })
            s.logger.info('verify finished', {
              workspace: input.workspaceId,
              restorePoint: result.snapshotId,
              ok: result.ok,
              problems: result.problems.length,
            })
            if (!result.ok) {
              const files = [...new Set(result.problems.flatMap((p) => p.paths))]
              throw new CairnError(
                'storage_failed',
                `The restore point is damaged: ${result.problems.length} damaged object${result.problems.length === 1 ? '' : 's'}, ${files.length} file${files.length === 1 ? '' : 's'} affected. The job's result lists them.`,
                { reason: 'damaged', problems: result.problems.length, files: files.slice(0, 20) },
              )
            }
          } finally {
            close()
          }
        },
      )
    },

    'jobs.result': async ({ id }) => context.result(id),
  }
}
