import { useEffect, useState } from 'react'
import { Button } from '../../components/Button'
import { EmptyState } from '../../components/EmptyState'
import { ErrorPanel } from '../../components/ErrorPanel'
import { DatabaseIcon, ActivityIcon } from '../../components/icons'
import { Skeleton } from '../../components/Skeleton'
import { useNavigation } from '../../state/navigation'
import { useRetention } from '../../state/retention'
import { useMaintenanceDefaults } from '../../state/maintenance-defaults'
import { useSchedules } from '../../state/schedules'
import { DefaultsSection } from './DefaultsSection'
import { MaintenanceSection } from './MaintenanceSection'
import { RetentionForm } from './RetentionForm'
import { ScheduleRow } from './ScheduleRow'
import { SectionHeading } from './SectionHeading'
import { WorkspaceSelect } from './WorkspaceSelect'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

function NoWorkspaces() {
  return (
    <EmptyState
      icon={<DatabaseIcon size={22} />}
      title="No workspaces yet"
      action={
        <Button onClick={() => useNavigation.getState().go('workspaces')}>Go to Workspaces</Button>
      }
    >
      <p>Schedules and retention are set per workspace. Create one first.</p>
    </EmptyState>
  )
}

function SchedulesSection() {
  const status = useSchedules((s) => s.status)
  const items = useSchedules((s) => s.items)
  const error = useSchedules((s) => s.error)
  const load = useSchedules((s) => s.load)
  // A row's inputs start from its settings: after the defaults changed they start over.
  const defaultsVersion = useMaintenanceDefaults((s) => s.version)
  return (
    <section
      className="card section"
      aria-labelledby="schedules-heading"
      data-testid="schedules-section"
    >
      <SectionHeading
        id="schedules-heading"
        icon={<ActivityIcon size={20} />}
        title="Schedules"
        description="While a workspace runs, Cairn backs it up on a schedule and regularly reads back a sample of its restore points to prove they restore. Each workspace follows the defaults above until you save a schedule of its own here."
      />
      {status === 'error' && error ? (
        <ErrorPanel
          error={error}
          title="Could not load the schedules"
          onRetry={() => void load()}
        />
      ) : status !== 'ready' ? (
        <Skeleton label="Loading schedules" lines={4} />
      ) : items.length === 0 ? (
        <NoWorkspaces />
      ) : (
        <div className="schedule-list">
          {items.map((item) => (
            <ScheduleRow key={`${item.workspaceId}-${defaultsVersion}`} item={item} />
          ))}
        </div>
      )}
    </section>
  )
}

function RetentionSection() {
  const status = useSchedules((s) => s.status)
  const items = useSchedules((s) => s.items)
  const [chosen, setChosen] = useState<string | null>(null)
  const workspaceId = chosen ?? items[0]?.workspaceId ?? null
  const view = useRetention((s) => (workspaceId ? s.views[workspaceId] : undefined))
  const load = useRetention((s) => s.load)
  useEffect(() => {
    if (workspaceId && !view) void load(workspaceId)
  }, [workspaceId, view, load])

  return (
    <section
      className="card section"
      aria-labelledby="retention-heading"
      data-testid="retention-section"
    >
      <SectionHeading
        id="retention-heading"
        icon={<DatabaseIcon size={20} />}
        title="Retention"
        description="Which restore points a workspace keeps when retention runs: the default policy above, or one of its own. Cairn's own defaults keep the last 10, one per hour for a day, per day for two weeks, per week for two months, per month for a year, and everything of the last two days."
      />
      {status !== 'ready' ? (
        <Skeleton label="Loading workspaces" lines={2} />
      ) : items.length === 0 || !workspaceId ? (
        <p className="muted">Retention is set per workspace; there are none yet.</p>
      ) : (
        <>
          <WorkspaceSelect
            id="retention-workspace"
            className="retention-workspace"
            items={items}
            value={workspaceId}
            onChange={setChosen}
          />
          {view?.status === 'error' && view.error ? (
            <ErrorPanel
              error={view.error}
              title="Could not load the retention policy"
              onRetry={() => void load(workspaceId)}
            />
          ) : view?.data ? (
            <RetentionForm key={workspaceId} view={view.data} />
          ) : (
            <Skeleton label="Loading the retention policy" lines={4} />
          )}
        </>
      )}
    </section>
  )
}

export function BackupsTab() {
  const status = useSchedules((s) => s.status)
  const load = useSchedules((s) => s.load)
  useLoadWhenIdle(status, load)
  return (
    <>
      <DefaultsSection />
      <SchedulesSection />
      <RetentionSection />
      <MaintenanceSection />
    </>
  )
}
