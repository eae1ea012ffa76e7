import { mkdir } from 'node:fs/promises'
import { masterKeyId } from '../../main/core/keys/master-key-store'
import { initRepository, REPOSITORY_FORMAT_VERSION } from '../../main/core/repo'
import { listRestorePoints } from '../../main/core/api/handlers/restore-points-view'
import { formatTime, table } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import { keySource } from '../key-source'
import type { RepoOptions } from '../locations'
import { openCliRepository, openStore } from '../repository'

/** `cairn repo init`: a new repository in an empty location; the master key is made if needed. */
export async function repoInit(ctx: CommandContext, flags: RepoOptions): Promise<CommandOutput> {
  const opened = openStore(ctx, flags)
  try {
    // A new repository may go into a new folder (S3 prefixes need no creating).
    if (opened.location.config.kind === 'folder') {
      await mkdir(opened.location.config.path, { recursive: true, mode: 0o700 })
    }
    const keys = keySource({ env: ctx.io.env, warn: (m) => ctx.warn(m) })
    const { key, created } = await keys.get({ create: true })
    const repo = await initRepository(opened.store, key, { signal: ctx.signal })
    const keyId = masterKeyId(key)
    const json = {
      repository: {
        location: opened.location.label,
        id: repo.id,
        formatVersion: repo.formatVersion,
        created: repo.created,
      },
      masterKey: { source: keys.kind, keyId, created },
    }
    const lines = [
      `Created repository ${repo.id} at ${opened.location.label}.`,
      created
        ? `A new master key (id ${keyId}) was created in ${keys.label}.\n` +
          'Run `cairn key export-recovery` now and keep the recovery key somewhere safe: without it,\n' +
          'these backups cannot be read if this machine is lost.'
        : `It is encrypted with the master key from ${keys.label} (id ${keyId}).`,
    ]
    return { json, text: lines.join('\n') }
  } finally {
    opened.close()
  }
}

/** `cairn repo info`: the repository, the key that opens it, its workspaces. */
export async function repoInfo(ctx: CommandContext, flags: RepoOptions): Promise<CommandOutput> {
  const opened = await openCliRepository(ctx, flags)
  try {
    const { repo, location, keys } = opened
    const listing = await listRestorePoints(repo, null, ctx.signal)
    const byWorkspace = new Map<string, { restorePoints: number; latest: string | null }>()
    for (const point of listing.restorePoints) {
      const entry = byWorkspace.get(point.workspaceId) ?? { restorePoints: 0, latest: null }
      entry.restorePoints++
      entry.latest = point.time
      byWorkspace.set(point.workspaceId, entry)
    }
    const workspaces = [...byWorkspace].map(([id, w]) => ({ id, ...w }))
    const keyId = masterKeyId(repo.masterKey)
    const json = {
      location: location.label,
      id: repo.id,
      formatVersion: repo.formatVersion,
      created: repo.created,
      masterKey: { source: keys.kind, keyId },
      workspaces,
      damagedRestorePoints: listing.damaged,
    }
    const lines = [
      `Repository ${repo.id}`,
      `  location        ${location.label}`,
      `  format          version ${repo.formatVersion} (this Cairn reads up to ${REPOSITORY_FORMAT_VERSION})`,
      `  created         ${formatTime(repo.created)}`,
      `  master key      id ${keyId}, from ${keys.label}`,
      '',
    ]
    if (workspaces.length === 0) lines.push('No restore points yet.')
    else
      lines.push(
        table(
          [
            ['WORKSPACE', 'RESTORE POINTS', 'LATEST'],
            ...workspaces.map((w) => [
              w.id,
              String(w.restorePoints),
              w.latest ? formatTime(w.latest) : '-',
            ]),
          ],
          [1],
        ),
      )
    for (const d of listing.damaged) lines.push(`DAMAGED restore point ${d.id}: ${d.message}`)
    return { json, text: lines.join('\n') }
  } finally {
    opened.close()
  }
}
