import type { RestorePoint } from '../../../shared/domain/backup'
import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { toRestorePoint } from '../api/handlers/restore-points-view'
import { runBackup, sshSource, type BackupProgress } from '../backup'
import { ownClientOf } from '../idle/ssh-idle-probe'
import type { JobContext } from '../jobs/job-runner'
import { openWorkspace, type SnapshotTrigger } from '../repo'
import { connectSsh } from '../ssh/connection'
import type { WorkspaceContext } from './workspace-context'
import { SECRETS_FILE_EXCLUDE } from './workspace-secrets'
import { measureStorage } from './storage-use'

const WARNINGS_KEPT = 200

/** The tag that names the workspace in its restore points, so another desktop can show the name. */
export function nameTag(name: string): string {
  return `name:${name}`
}

/** Who holds the workspace's lease during a backup job, for people (and for stale-lease cleanup). */
export function backupLeaseHolder(trigger: string, jobId: string, workspaceName: string): string {
  return `${trigger} job ${jobId} of workspace ${workspaceName}`
}

export interface WorkspaceBackupOptions {
  trigger: Extract<SnapshotTrigger, 'manual' | 'stop' | 'idle' | 'schedule' | 'before-restore'>
  /** Tags besides `name:<workspace name>`. */
  tags?: string[]
  /** The job the backup runs in (lease holder, cancel, progress). */
  job: JobContext
  /** Job phases are `<phasePrefix><backup phase>`, e.g. "backing up: reading". */
  phasePrefix?: string
}

export interface WorkspaceBackupResult {
  restorePoint: RestorePoint
  /** Bytes this backup added to the storage (packs after compression and encryption). */
  uploadedBytes: number
}

/**
 * Backs up a running workspace with its own settings (paths, excludes, includes, credentials
 * policy) over its pinned SSH endpoint into a new restore point tagged with its name. The
 * connection is registered with the idle monitor as Cairn's own while it runs, so the backup
 * reading every file never counts as someone working. Records the result as the workspace's
 * last backup, publishes restorePoints.changed, and keeps the job's result for jobs.result.
 */
export async function backupWorkspace(
  ctx: WorkspaceContext,
  record: WorkspaceRecord,
  options: WorkspaceBackupOptions,
): Promise<WorkspaceBackupResult> {
  const { job } = options
  const { s } = ctx
  const endpoint = record.ssh
  if (!endpoint) {
    throw new CairnError(
      'conflict',
      `Workspace ${record.name} has no running machine to back up. Start it first.`,
    )
  }
  const { repo, close } = await ctx.backup.openRepository(job.signal)
  try {
    const workspace = await openWorkspace(repo, record.id, { create: true, signal: job.signal })
    const connection = await connectSsh({
      ...(await ctx.backup.sshOptions({
        kind: 'ssh',
        host: endpoint.host,
        port: endpoint.port,
        user: endpoint.user,
        hostKey: endpoint.hostKey,
        keyId: endpoint.keyId,
        path: record.paths[0]!,
      })),
      signal: job.signal,
      label: `workspace ${record.name}`,
    })
    let forget = () => {}
    try {
      const own = await ownClientOf(connection).catch(() => null)
      if (own) forget = ctx.idle.addOwnConnection(record.id, own)
      const source = sshSource(connection)
      const prefix = options.phasePrefix ?? ''
      const result = await runBackup({
        workspace,
        indexCache: ctx.backup.indexCache(workspace),
        source,
        paths: record.paths,
        trigger: options.trigger,
        // The secrets file is rewritten from the keychain after every start: never kept.
        excludes: [...record.excludes, SECRETS_FILE_EXCLUDE],
        includes: record.includes,
        secretsPolicy: record.includeCredentials ? 'include' : 'exclude-credentials',
        tags: [nameTag(record.name), ...(options.tags ?? [])],
        changeDetection: firstBackupOnThisServer(record) ? 'mtime' : 'strict',
        program: `cairn ${s.version}`,
        lease: { holder: backupLeaseHolder(options.trigger, job.id, record.name) },
        signal: job.signal,
        onProgress: (p: BackupProgress) => job.progress({ ...p, phase: `${prefix}${p.phase}` }),
      })
      const restorePoint = toRestorePoint(result.snapshot)
      ctx.backup.setResult(job.id, {
        kind: 'backup',
        restorePoint,
        filesRead: result.stats.filesRead,
        bytesRead: result.stats.bytesRead,
        filesUnchanged: result.stats.filesUnchanged,
        filesSkipped: result.stats.filesSkipped,
        warnings: result.warnings.slice(0, WARNINGS_KEPT),
        warningCount: result.warnings.length,
      })
      s.logger.info('workspace backup finished', {
        workspace: record.id,
        trigger: options.trigger,
        restorePoint: restorePoint.id,
        filesRead: result.stats.filesRead,
        bytesRead: result.stats.bytesRead,
        warnings: result.warnings.length,
      })
      // Storage as the provider bills it, measured now (one LIST per 1000 objects) so the list
      // shows it at once; the cheap running total stands in if the listing fails.
      const use = ctx.storage.get(record.id)
      ctx.storage.set(
        record.id,
        await measureStorage(repo.store, record.id, job.signal).catch(() => ({
          bytes: (use?.bytes ?? 0) + result.stats.addedPackBytes,
          restorePoints: (use?.restorePoints ?? 0) + 1,
        })),
      )
      // Recorded after the storage, so the workspaces.changed this causes carries both.
      await ctx.registry.update(record.id, (r) => {
        r.lastBackup = {
          restorePointId: restorePoint.id,
          time: restorePoint.time,
          trigger: options.trigger,
        }
      })
      s.events.emit('restorePoints.changed', { workspaceId: record.id, restorePoint })
      return { restorePoint, uploadedBytes: result.stats.addedPackBytes }
    } finally {
      forget()
      await connection.close()
    }
  } finally {
    close()
  }
}

/**
 * The first backup of a server restored from a restore point: every ctime and inode differs from
 * the parent although nothing changed (the restore kept mtimes), so strict change detection would
 * read everything again. Size + mtime + mode decide instead, for this one backup.
 */
function firstBackupOnThisServer(record: WorkspaceRecord): boolean {
  if (!record.server || !record.lastBackup) return false
  return Date.parse(record.lastBackup.time) < Date.parse(record.server.createdAt)
}
