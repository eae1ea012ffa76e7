import type { JobResult } from '../../../../shared/domain/backup'
import type { Job } from '../../../../shared/domain/jobs'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { ErrorPanel } from '../../components/ErrorPanel'
import { Message } from '../../components/Message'
import { formatBytes } from '../../lib/format'

// Rebuilding a workspace's index from its packs (repository.repairIndex), offered by a check's
// outcome when it found a damaged index file or packs in no index.

/** Workspaces of a check whose index a rebuild would mend: damaged index files, packs in no index. */
export function needsIndexRepair(result: JobResult | null): string[] {
  if (result?.kind !== 'check') return []
  return result.workspaces
    .filter((w) => w.orphanPacks.length > 0 || w.problems.some((p) => p.kind === 'index'))
    .map((w) => w.workspaceId)
}

export function RepairActions({
  workspaceIds,
  names,
  busy,
  onRepair,
}: {
  workspaceIds: string[]
  names: ReadonlyMap<string, string>
  busy: boolean
  onRepair: (workspaceId: string) => void
}) {
  return (
    <>
      {workspaceIds.map((id) => (
        <Button key={id} small variant="primary" busy={busy} onClick={() => onRepair(id)}>
          {workspaceIds.length === 1
            ? 'Rebuild the index'
            : `Rebuild the index of ${names.get(id) ?? id}`}
        </Button>
      ))}
    </>
  )
}

export function RepairOutcome({
  job,
  result,
  name,
  onCheck,
}: {
  job: Job
  result: JobResult | null
  name: string
  onCheck: () => void
}) {
  if (job.state === 'cancelled')
    return <Callout tone="info" title="Rebuilding the index cancelled" />
  if (job.state === 'failed' && job.error) {
    return <ErrorPanel error={job.error} title="The index could not be rebuilt" />
  }
  if (result?.kind !== 'repair-index') return null
  const bytes = result.indexed.reduce((n, p) => n + p.size, 0)
  const moved = result.movedIndexFiles.length
  const again = (
    <Button small onClick={onCheck}>
      Check again
    </Button>
  )
  return (
    <Callout
      tone={result.failed.length > 0 ? 'warning' : 'success'}
      title={`The index of ${name} was rebuilt`}
      testId="repair-outcome"
      actions={again}
    >
      <p>
        {result.indexed.length} pack{result.indexed.length === 1 ? '' : 's'} ({formatBytes(bytes)},{' '}
        {result.blobsAdded} block{result.blobsAdded === 1 ? '' : 's'}) added to the index
        {moved > 0
          ? `; ${moved} damaged index file${moved === 1 ? '' : 's'} moved aside (kept, no longer read)`
          : ''}
        .
      </p>
      {result.failed.length > 0 ? (
        <>
          <p>
            {result.failed.length} pack{result.failed.length === 1 ? '' : 's'} could not be read and{' '}
            {result.failed.length === 1 ? 'was' : 'were'} left in place:
          </p>
          <ul className="plain-list">
            {result.failed.slice(0, 8).map((f) => (
              <li key={f.id}>
                <span className="mono">pack/{f.id.slice(0, 8)}</span>: <Message text={f.message} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Callout>
  )
}
