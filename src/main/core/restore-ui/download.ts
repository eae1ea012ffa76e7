import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { DownloadOutput } from '../../../shared/domain/restore-ui'
import { CairnError } from '../../../shared/errors'
import type { BackupContext } from '../api/handlers/backup-context'
import { browse, parseDisplayPath, runRestore } from '../backup'
import { openSnapshotReader, openWorkspace } from '../repo'
import type { CoreServices } from '../services'
import { reserveUniqueName } from './unique-name'

export interface DownloadRequest {
  workspaceId: string
  restorePoint: string
  path: string
  targetDir?: string | undefined
}

/** The Downloads folder: the core's option, else CAIRN_DOWNLOADS_DIR, else ~/Downloads. */
export function downloadsDir(option: string | undefined, env = process.env): string {
  return option ?? env.CAIRN_DOWNLOADS_DIR ?? join(homedir(), 'Downloads')
}

/**
 * restorePoints.download: restores one file or folder of a restore point into a staging folder
 * inside the target folder, then renames it over a name reserved before the job started (see
 * unique-name.ts), so the result appears whole and nothing existing is replaced. The job does not
 * change the workspace, so it runs beside a backup.
 */
export async function startDownload(
  s: CoreServices,
  context: BackupContext,
  request: DownloadRequest,
  defaultFolder: string,
): Promise<DownloadOutput> {
  await context.masterKeys.require()
  const { repo, close } = await context.openRepository()
  let restorePointId: string
  let path: string
  let type: 'file' | 'dir'
  try {
    const workspace = await openWorkspace(repo, request.workspaceId)
    const reader = await openSnapshotReader(workspace)
    const listed = await browse({ reader, snapshotId: request.restorePoint, path: request.path })
    restorePointId = listed.snapshot.id
    path = listed.path
    const entryType = listed.self ? listed.self.type : 'dir'
    if (entryType !== 'file' && entryType !== 'dir') {
      throw new CairnError(
        'invalid_input',
        `${path} is a ${entryType}: only files and folders can be downloaded. Download the folder that holds it.`,
      )
    }
    type = entryType
  } finally {
    close()
  }

  const folder = request.targetDir ?? defaultFolder
  await mkdir(folder, { recursive: true }).catch(() => {})
  const folderStat = await stat(folder).catch(() => null)
  if (!folderStat?.isDirectory()) {
    throw new CairnError('invalid_input', `${folder} is not a folder Cairn can write into.`)
  }
  const components = parseDisplayPath(path)
  const last = components[components.length - 1]
  // Names that are not UTF-8 keep their display form (\xNN), which is a valid file name.
  const name = last
    ? path.slice(path.lastIndexOf('/') + 1)
    : `${request.workspaceId}-${restorePointId.slice(0, 8)}`
  const savedTo = await reserveUniqueName(folder, name, type)
  const short = restorePointId.slice(0, 8)

  const job = startJob(s, savedTo, () =>
    s.jobs.start(
      'restore',
      {
        workspaceId: request.workspaceId,
        title: `Download ${path || 'the whole restore point'} (${short}) to ${savedTo}`,
        mutating: false,
      },
      async (job) => {
        let moved = false
        const staging = await mkdtemp(join(folder, '.cairn-download-'))
        try {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            const workspace = await openWorkspace(repo, request.workspaceId, { signal: job.signal })
            const result = await runRestore({
              workspace,
              indexCache: context.indexCache(workspace),
              snapshotId: restorePointId,
              include: path ? [path] : [],
              target: { kind: 'local', dir: staging },
              overwrite: false,
              signal: job.signal,
              onProgress: job.progress,
            })
            // Where the restore wrote it: the path's bytes under the staging folder.
            const written = Buffer.concat([
              Buffer.from(staging),
              ...components.flatMap((c) => [Buffer.from('/'), c]),
            ])
            job.progress({ phase: 'saving' })
            await rename(written, savedTo)
            moved = true
            context.setResult(job.id, {
              kind: 'restore',
              restorePointId: result.snapshotId,
              savedTo,
              files: result.files,
              dirs: result.dirs,
              symlinks: result.symlinks,
              hardlinks: result.hardlinks,
              bytes: result.bytes,
              refused: result.refused,
              warnings: result.warnings,
              durationMs: result.durationMs,
            })
            s.logger.info('download finished', {
              workspace: request.workspaceId,
              restorePoint: result.snapshotId,
              files: result.files,
            })
          } finally {
            close()
          }
        } finally {
          await rm(staging, { recursive: true, force: true }).catch(() => {})
          if (!moved) await rm(savedTo, { recursive: true, force: true }).catch(() => {})
        }
      },
    ),
  )
  return { job, savedTo, folder, type }
}

/** Starts the job; when it cannot start (workspace busy, shutting down) the name is freed again. */
function startJob<T>(s: CoreServices, reserved: string, start: () => T): T {
  try {
    return start()
  } catch (error) {
    void rm(reserved, { recursive: true, force: true }).catch((e: unknown) =>
      s.logger.warn('could not remove a reserved download name', { error: String(e) }),
    )
    throw error
  }
}
