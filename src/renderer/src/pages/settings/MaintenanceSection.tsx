import { useEffect, useState } from 'react'
import type { JobResult } from '../../../../shared/domain/backup'
import type { Job } from '../../../../shared/domain/jobs'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { ErrorPanel } from '../../components/ErrorPanel'
import { CheckIcon } from '../../components/icons'
import { Message } from '../../components/Message'
import { formatBytes, formatMs } from '../../lib/format'
import { useJobs } from '../../state/jobs'
import { useMaintenance, type MaintenanceRun, type MaintenanceSlot } from '../../state/maintenance'
import { useSchedules } from '../../state/schedules'
import { JobProgress } from '../workspaces/JobProgress'
import { needsIndexRepair, RepairActions, RepairOutcome } from './IndexRepair'
import { SectionHeading } from './SectionHeading'
import { WorkspaceSelect } from './WorkspaceSelect'

const shares = [
  { value: 0, label: 'Structure only (index, trees): fastest' },
  { value: 0.05, label: 'Structure and 5% of the data read back' },
  { value: 1, label: 'Everything read back (downloads all of it)' },
]

/**
 * The run's job from the jobs store (job.updated events), and whether the run is starting or its
 * job still going; tells the store once the job finished.
 */
function useRunJob(
  slot: MaintenanceSlot,
  run: MaintenanceRun | undefined,
): { job: Job | null; running: boolean } {
  const job = useJobs((s) => (run?.jobId ? (s.jobs.find((j) => j.id === run.jobId) ?? null) : null))
  const done = job !== null && job.state !== 'queued' && job.state !== 'running'
  useEffect(() => {
    if (job && done) void useMaintenance.getState().finished(slot, job)
  }, [slot, job, done])
  return { job, running: run?.starting === true || (job !== null && !done) }
}

function CheckOutcome({
  job,
  result,
  names,
  repairing,
  repaired,
  onRepair,
}: {
  job: Job
  result: JobResult | null
  names: ReadonlyMap<string, string>
  repairing: boolean
  /** A workspace whose index was rebuilt since this check: no second offer. */
  repaired: string | null
  onRepair: (workspaceId: string) => void
}) {
  if (job.state === 'cancelled') return <Callout tone="info" title="Check cancelled" />
  if (result?.kind === 'check') {
    const repairable = needsIndexRepair(result)
    const orphans = result.workspaces.reduce((n, w) => n + w.orphanPacks.length, 0)
    const repairNote =
      repairable.length > 0 ? (
        <p>
          {orphans > 0
            ? `${orphans} pack${orphans === 1 ? ' is' : 's are'} in no index (left by an interrupted backup, or their index was damaged or lost). `
            : ''}
          The index lists what the packs hold, so it can be rebuilt from them: nothing is deleted,
          and damaged index files are moved aside.
        </p>
      ) : null
    const offered = repairable.filter((id) => id !== repaired)
    const actions =
      offered.length > 0 ? (
        <RepairActions workspaceIds={offered} names={names} busy={repairing} onRepair={onRepair} />
      ) : undefined
    const problems = result.workspaces.flatMap((w) => w.problems)
    const points = result.workspaces.reduce((n, w) => n + w.restorePoints, 0)
    const bytes = result.workspaces.reduce((n, w) => n + w.bytesChecked, 0)
    const summary = `${result.workspaces.length} workspace${result.workspaces.length === 1 ? '' : 's'}, ${points} restore point${points === 1 ? '' : 's'}, ${formatBytes(bytes)} of data read back, in ${formatMs(result.durationMs)}.`
    return result.ok ? (
      <Callout
        tone="success"
        title="The repository is healthy"
        testId="check-outcome"
        actions={actions}
      >
        <p>{summary}</p>
        {repairNote}
      </Callout>
    ) : (
      <Callout tone="error" title="The check found damage" testId="check-outcome" actions={actions}>
        <p>{summary}</p>
        <ul className="plain-list">
          {problems.slice(0, 8).map((p) => (
            <li key={`${p.object}-${p.message}`}>
              <span className="mono">{p.object}</span>: <Message text={p.message} />
            </li>
          ))}
        </ul>
        {problems.length > 8 ? (
          <p>And {problems.length - 8} more (Activity has them all).</p>
        ) : null}
        {repairNote}
      </Callout>
    )
  }
  if (job.state === 'failed' && job.error) {
    return <ErrorPanel error={job.error} title="The check could not finish" />
  }
  return null
}

function PruneOutcome({
  job,
  result,
  onPrune,
}: {
  job: Job
  result: JobResult | null
  onPrune: () => void
}) {
  if (job.state === 'cancelled') return <Callout tone="info" title="Prune cancelled" />
  if (job.state === 'failed' && job.error) {
    return <ErrorPanel error={job.error} title="Prune could not finish" />
  }
  if (result?.kind !== 'prune') return null
  const packs = result.removedPacks.length + result.repackedPacks.length
  if (result.dryRun) {
    return result.bytesFreed === 0 && packs === 0 ? (
      <Callout tone="success" title="Nothing to free" testId="prune-outcome">
        <p>
          Every stored pack is still needed by a restore point ({formatBytes(result.bytesBefore)}{' '}
          stored).
        </p>
      </Callout>
    ) : (
      <Callout
        tone="info"
        title={`Prune would free ${formatBytes(result.bytesFreed)}`}
        testId="prune-outcome"
        actions={
          <Button small variant="primary" onClick={onPrune}>
            Prune now
          </Button>
        }
      >
        <p>
          {result.removedPacks.length} pack{result.removedPacks.length === 1 ? '' : 's'} deleted,{' '}
          {result.repackedPacks.length} repacked: {formatBytes(result.bytesBefore)} stored becomes
          about {formatBytes(result.bytesAfter)}. Nothing has changed yet.
        </p>
      </Callout>
    )
  }
  return (
    <Callout
      tone="success"
      title={`Freed ${formatBytes(result.bytesFreed)}`}
      testId="prune-outcome"
    >
      <p>
        {result.removedPacks.length + result.unindexedPacksDeleted.length} pack
        {result.removedPacks.length + result.unindexedPacksDeleted.length === 1
          ? ''
          : 's'} deleted, {result.repackedPacks.length} repacked; {formatBytes(result.bytesAfter)}{' '}
        stored now, in {formatMs(result.durationMs)}.
      </p>
    </Callout>
  )
}

function CheckPart() {
  const items = useSchedules((s) => s.items)
  const run = useMaintenance((s) => s.runs.check)
  const { job, running } = useRunJob('check', run)
  const repairRun = useMaintenance((s) => s.runs.repair)
  const { job: repairJob, running: repairing } = useRunJob('repair', repairRun)
  const [scope, setScope] = useState('')
  const [share, setShare] = useState(0)
  const names = new Map(items.map((i) => [i.workspaceId, i.name]))
  const repairName = repairRun?.workspaceId
    ? (names.get(repairRun.workspaceId) ?? repairRun.workspaceId)
    : ''
  const check = () => void useMaintenance.getState().check(scope || null, share)
  return (
    <div className="maintenance-part" data-testid="check-part">
      <h3 className="subheading">Check the repository</h3>
      <p className="muted">
        Reads the index and every restore point&apos;s folders, and makes sure every piece of data
        they need is stored. Reading data back proves it decrypts; it costs downloads.
      </p>
      <div className="maintenance-fields">
        <WorkspaceSelect
          id="check-scope"
          label="Workspaces"
          items={items}
          value={scope}
          disabled={running}
          allLabel="All workspaces"
          onChange={setScope}
        />
        <div className="field">
          <label className="field-label" htmlFor="check-share">
            Data read back
          </label>
          <select
            id="check-share"
            className="input"
            value={share}
            disabled={running}
            onChange={(e) => setShare(Number(e.target.value))}
          >
            {shares.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="form-actions">
        <Button small variant="primary" busy={running} disabled={repairing} onClick={check}>
          Check the repository
        </Button>
      </div>
      {run?.error ? <ErrorPanel error={run.error} title="The check did not start" /> : null}
      {job && running ? <JobProgress job={job} label="the repository check" /> : null}
      {job && !running ? (
        <CheckOutcome
          job={job}
          result={run?.result ?? null}
          names={names}
          repairing={repairing}
          repaired={repairRun?.result?.kind === 'repair-index' ? repairRun.workspaceId : null}
          onRepair={(id) => void useMaintenance.getState().repair(id)}
        />
      ) : null}
      {repairRun?.error ? (
        <ErrorPanel error={repairRun.error} title="Rebuilding the index did not start" />
      ) : null}
      {repairJob && repairing ? (
        <JobProgress job={repairJob} label={`rebuilding the index of ${repairName}`} />
      ) : null}
      {repairJob && !repairing ? (
        <RepairOutcome
          job={repairJob}
          result={repairRun?.result ?? null}
          name={repairName}
          onCheck={check}
        />
      ) : null}
    </div>
  )
}

function PrunePart() {
  const items = useSchedules((s) => s.items)
  const run = useMaintenance((s) => s.runs.prune)
  const { job, running } = useRunJob('prune', run)
  const [chosen, setChosen] = useState<string | null>(null)
  const workspaceId = chosen ?? items[0]?.workspaceId ?? ''
  const { prune } = useMaintenance.getState()
  return (
    <div className="maintenance-part" data-testid="prune-part">
      <h3 className="subheading">Prune now</h3>
      <p className="muted">
        Forgetting restore points leaves the data only they used in storage. Prune deletes it and
        repacks packs that are mostly unused. Cairn shows what it would free first.
      </p>
      {items.length === 0 ? (
        <p className="muted">There is nothing to prune: no workspace has been backed up yet.</p>
      ) : (
        <>
          <div className="maintenance-fields">
            <WorkspaceSelect
              id="prune-workspace"
              items={items}
              value={workspaceId}
              disabled={running}
              onChange={(id) => {
                setChosen(id)
                useMaintenance.getState().clear('prune')
              }}
            />
          </div>
          <div className="form-actions">
            <Button small busy={running} onClick={() => void prune(workspaceId, true)}>
              See what prune would free
            </Button>
          </div>
        </>
      )}
      {run?.error ? <ErrorPanel error={run.error} title="Prune did not start" /> : null}
      {job && running ? (
        <JobProgress job={job} label={run?.kind === 'prune' ? 'the prune' : 'the prune preview'} />
      ) : null}
      {job && !running ? (
        <PruneOutcome
          job={job}
          result={run?.result ?? null}
          onPrune={() => void prune(run?.workspaceId ?? workspaceId, false)}
        />
      ) : null}
    </div>
  )
}

/** Settings > Backups: repository check and prune, each a job with live progress and its outcome. */
export function MaintenanceSection() {
  return (
    <section
      className="card section"
      aria-labelledby="maintenance-heading"
      data-testid="maintenance-section"
    >
      <SectionHeading
        id="maintenance-heading"
        icon={<CheckIcon size={20} />}
        title="Maintenance"
        description="Cairn verifies a sample of restore points on schedule. Here you can check the whole repository, and free the storage forgotten restore points left behind."
      />
      <div className="maintenance-grid">
        <CheckPart />
        <PrunePart />
      </div>
    </section>
  )
}
