import { useEffect } from 'react'
import { Button } from '../../components/Button'
import { ErrorPanel } from '../../components/ErrorPanel'
import { DatabaseIcon } from '../../components/icons'
import { Skeleton } from '../../components/Skeleton'
import { formatBytes, formatDateTime } from '../../lib/format'
import { useStorageCosts } from '../../state/storage-costs'
import { useSchedules } from '../../state/schedules'
import { SectionHeading } from './SectionHeading'

const usd = (value: number) => `$${value < 1 ? value.toFixed(3) : value.toFixed(2)}`

/** storage.costs: bytes and requests per workspace this month, at R2's list prices. */
export function CostsSection() {
  const status = useStorageCosts((s) => s.status)
  const costs = useStorageCosts((s) => s.costs)
  const error = useStorageCosts((s) => s.error)
  const measuring = useStorageCosts((s) => s.measuring)
  const load = useStorageCosts((s) => s.load)
  const names = useSchedules((s) => s.items)
  useEffect(() => {
    if (status === 'idle') void load()
    if (useSchedules.getState().status === 'idle') void useSchedules.getState().load()
  }, [status, load])
  const nameOf = (id: string) => names.find((n) => n.workspaceId === id)?.name ?? id

  return (
    <section className="card section" aria-labelledby="costs-heading" data-testid="costs-section">
      <SectionHeading
        id="costs-heading"
        icon={<DatabaseIcon size={20} />}
        title="Storage costs"
        description="What your restore points cost this month: bytes stored and the requests Cairn's jobs made, at Cloudflare R2's list prices."
        aside={
          <Button small variant="ghost" busy={measuring} onClick={() => void load(true)}>
            Measure now
          </Button>
        }
      />
      {status === 'error' && error ? (
        <ErrorPanel
          error={error}
          title="Could not read the storage costs"
          onRetry={() => void load()}
        />
      ) : !costs ? (
        <Skeleton label="Reading the storage costs" lines={3} />
      ) : costs.workspaces.length === 0 ? (
        <p className="muted">Nothing stored yet: costs appear after the first backup.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table costs-table">
              <thead>
                <tr>
                  <th scope="col">Workspace</th>
                  <th scope="col" className="num">
                    Stored
                  </th>
                  <th scope="col" className="num">
                    Writes (class A)
                  </th>
                  <th scope="col" className="num">
                    Reads (class B)
                  </th>
                  <th scope="col" className="num">
                    Per month
                  </th>
                </tr>
              </thead>
              <tbody>
                {costs.workspaces.map((w) => (
                  <tr key={w.workspaceId}>
                    <td>{nameOf(w.workspaceId)}</td>
                    <td
                      className="num"
                      title={
                        w.storedMeasuredAt
                          ? `Measured ${formatDateTime(w.storedMeasuredAt)}`
                          : 'Not measured yet'
                      }
                    >
                      {w.storedBytes === null ? '—' : formatBytes(w.storedBytes)}
                    </td>
                    <td className="num">{w.classA.toLocaleString('en-US')}</td>
                    <td className="num">{w.classB.toLocaleString('en-US')}</td>
                    <td className="num">{usd(w.estimate.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="footnote" data-testid="costs-total">
            {costs.month}: {usd(costs.totalEstimate)} at list prices,{' '}
            {usd(costs.totalAfterFreeTier)} after the monthly free tier (
            {costs.prices.freeStorageGb} GB,{' '}
            {(costs.prices.freeClassA / 1e6).toLocaleString('en-US')} M writes,{' '}
            {(costs.prices.freeClassB / 1e6).toLocaleString('en-US')} M reads). Prices:{' '}
            {costs.prices.provider}, checked {costs.prices.checked}.
          </p>
        </>
      )}
    </section>
  )
}
