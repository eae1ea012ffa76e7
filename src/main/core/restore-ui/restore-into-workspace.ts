import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { ownClientOf } from '../idle/ssh-idle-probe'
import { connectSsh } from '../ssh/connection'
import { findRestorePoint, restoreIntoServer } from '../workspaces/restore-into-server'
import { backupWorkspace } from '../workspaces/workspace-backup'
import type { WorkspaceContext } from '../workspaces/workspace-context'

export interface WorkspaceRestoreRequest {
  id: string
  restorePoint: string
  include: string[]
  overwrite: boolean
}

/**
 * workspaces.restore: a safety backup of the running workspace (trigger before-restore, with its
 * own paths and rules), then the restore point, or its `include` paths, restored over SSH into the
 * workspace's kept paths, replacing the files at restored paths (files only the workspace has
 * stay). The same restore step as a start (restore-into-server.ts), including keeping Cairn's
 * login key in authorized_keys. A failed safety backup restores nothing.
 */
export async function startWorkspaceRestore(
  ctx: WorkspaceContext,
  request: WorkspaceRestoreRequest,
): Promise<Job> {
  const record = await ctx.registry.require(request.id)
  refuseUnlessRunning(record)
  if (!request.overwrite) {
    throw new CairnError(
      'invalid_input',
      'Restoring into a workspace replaces its files at the restored paths: confirm with overwrite.',
    )
  }
  await ctx.backup.configuredStore().then((c) => c.close())
  await ctx.backup.masterKeys.require()
  const restorePointId = await findRestorePoint(
    ctx,
    record.id,
    request.restorePoint,
    AbortSignal.timeout(60_000),
  )
  const what = request.include.length === 0 ? 'everything' : request.include.slice(0, 3).join(', ')
  return ctx.s.jobs.start(
    'restore',
    {
      workspaceId: record.id,
      title: `Restore ${what} of ${restorePointId.slice(0, 8)} into ${record.name}`,
    },
    async (job) => {
      const current = await ctx.registry.require(record.id)
      refuseUnlessRunning(current)
      const safety = await backupWorkspace(ctx, current, {
        trigger: 'before-restore',
        tags: [`before-restore:${restorePointId.slice(0, 16)}`],
        job,
        phasePrefix: 'safety backup: ',
      })
      job.progress({
        phase: 'restoring files',
        filesDone: 0,
        filesTotal: null,
        bytesDone: 0,
        bytesTotal: null,
      })
      const ssh = current.ssh!
      const connection = await connectSsh({
        ...(await ctx.backup.sshOptions({
          kind: 'ssh',
          host: ssh.host,
          port: ssh.port,
          user: ssh.user,
          hostKey: ssh.hostKey,
          keyId: ssh.keyId,
          path: current.paths[0]!,
        })),
        signal: job.signal,
        label: `workspace ${current.name}`,
      })
      // Cairn writing files is not someone working: the idle monitor ignores this connection.
      let forget = () => {}
      try {
        const own = await ownClientOf(connection).catch(() => null)
        if (own) forget = ctx.idle.addOwnConnection(current.id, own)
        const loginKey = (await ctx.backup.sshKeys.list()).find((k) => k.id === ssh.keyId)
        const started = Date.now()
        let files = 0
        let bytes = 0
        await restoreIntoServer(ctx, {
          sourceWorkspaceId: current.id,
          restorePoint: restorePointId,
          paths: current.paths,
          include: request.include,
          connection,
          loginKey: loginKey?.publicKey ?? (await ctx.installationKey.ensure()).publicKey,
          signal: job.signal,
          progress: (p) => {
            files = p.filesDone ?? files
            bytes = p.bytesDone ?? bytes
            job.progress(p)
          },
        })
        ctx.backup.setResult(job.id, {
          kind: 'restore',
          restorePointId,
          safetyRestorePointId: safety.restorePoint.id,
          files,
          dirs: 0,
          symlinks: 0,
          hardlinks: 0,
          bytes,
          refused: [],
          warnings: [],
          durationMs: Date.now() - started,
        })
        ctx.s.logger.info('restored into a running workspace', {
          workspace: current.id,
          restorePoint: restorePointId,
          safety: safety.restorePoint.id,
        })
      } finally {
        forget()
        await connection.close()
      }
    },
  )
}

function refuseUnlessRunning(record: WorkspaceRecord): void {
  const reachable =
    record.ssh !== null &&
    record.pending === null &&
    (record.provider === 'ssh' || (record.server !== null && record.state === 'running'))
  if (reachable) return
  throw new CairnError(
    'conflict',
    record.state === 'stopped'
      ? `${record.name} is stopped: start it from this restore point instead, or restore into a new workspace or a folder.`
      : `${record.name} is ${record.state}: restore into it once it runs.`,
    { state: record.state },
  )
}
