import { create } from 'zustand'
import type { EventPayload } from '../../../shared/contract'
import type { RestorePoint, RestorePointList } from '../../../shared/domain/backup'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

type Damaged = RestorePointList['damaged'][number]

/** One workspace's restore points as the detail page shows them. */
export interface WorkspaceRestorePoints {
  status: LoadStatus
  /** Oldest first, as the core lists them. */
  points: RestorePoint[]
  damaged: Damaged[]
  /** Ids of pinned restore points (pins live in the repository, so every desktop sees them). */
  pinned: ReadonlySet<string>
  /** Restore points whose pin or unpin is in flight. */
  pinning: ReadonlySet<string>
  /** The last pin or unpin that failed, shown above the timeline until the next one. */
  pinError: UiError | null
  error: UiError | null
}

interface RestorePointsState {
  byWorkspace: Record<string, WorkspaceRestorePoints | undefined>
  /** Loads (or reloads) the list and pins of one workspace; events keep it current afterwards. */
  load(workspaceId: string): Promise<void>
  /** A restorePoints.changed event: a backup of this core added a restore point. */
  applyChanged(change: EventPayload<'restorePoints.changed'>): void
  /** A restorePoints.removed event: forget (by hand or by retention) removed some. */
  applyRemoved(change: EventPayload<'restorePoints.removed'>): void
  /** A restorePoints.pinsChanged event (or after our own pin/unpin): read the pins again. */
  reloadPins(workspaceId: string): Promise<void>
  /** Pins (kept by retention whatever the policy) or unpins one restore point. */
  setPinned(workspaceId: string, restorePointId: string, pinned: boolean): Promise<void>
}

const empty: WorkspaceRestorePoints = {
  status: 'idle',
  points: [],
  damaged: [],
  pinned: new Set(),
  pinning: new Set(),
  pinError: null,
  error: null,
}

function byTime(a: RestorePoint, b: RestorePoint): number {
  return a.time.localeCompare(b.time) || a.id.localeCompare(b.id)
}

/** Events that arrived while a list call was in flight, per workspace and call. */
const inFlight = new Map<string, Set<{ added: RestorePoint[]; removed: Set<string> }>>()

export const useRestorePoints = create<RestorePointsState>()((set, get) => {
  function update(workspaceId: string, change: Partial<WorkspaceRestorePoints>) {
    set((s) => ({
      byWorkspace: {
        ...s.byWorkspace,
        [workspaceId]: { ...(s.byWorkspace[workspaceId] ?? empty), ...change },
      },
    }))
  }

  return {
    byWorkspace: {},

    async load(workspaceId) {
      const before = get().byWorkspace[workspaceId]
      // A reload keeps what is shown; only the first load shows the loading state.
      update(workspaceId, {
        status: before?.status === 'ready' ? 'ready' : 'loading',
        error: null,
      })
      const seen = { added: [] as RestorePoint[], removed: new Set<string>() }
      const calls = inFlight.get(workspaceId) ?? new Set()
      calls.add(seen)
      inFlight.set(workspaceId, calls)
      try {
        const api = getApi()
        const [list, pins] = await Promise.all([
          api['restorePoints.list']({ workspaceId }),
          // Pins are a decoration: a failure to read them must not hide the restore points.
          api['restorePoints.pins']({ workspaceId }).catch(() => []),
        ])
        const points = new Map(list.restorePoints.map((p) => [p.id, p]))
        for (const p of seen.added) points.set(p.id, p)
        for (const id of seen.removed) points.delete(id)
        update(workspaceId, {
          status: 'ready',
          points: [...points.values()].sort(byTime),
          damaged: list.damaged.filter((d) => d.workspaceId === workspaceId),
          pinned: new Set(pins.map((p) => p.restorePointId)),
          error: null,
        })
      } catch (error) {
        const uiError = toUiError(error)
        // A workspace nothing was backed up from yet has no folder in the repository: empty.
        if (uiError.code === 'not_found') {
          update(workspaceId, {
            status: 'ready',
            points: seen.added.filter((p) => !seen.removed.has(p.id)).sort(byTime),
            damaged: [],
            pinned: new Set(),
            error: null,
          })
        } else update(workspaceId, { status: 'error', error: uiError })
      } finally {
        calls.delete(seen)
      }
    },

    applyChanged({ workspaceId, restorePoint }) {
      for (const seen of inFlight.get(workspaceId) ?? []) seen.added.push(restorePoint)
      const current = get().byWorkspace[workspaceId]
      // Not loaded yet: the first load will list it.
      if (!current || current.status !== 'ready') return
      const points = current.points.filter((p) => p.id !== restorePoint.id)
      points.push(restorePoint)
      update(workspaceId, { points: points.sort(byTime) })
    },

    async reloadPins(workspaceId) {
      // Not loaded: the first load reads the pins.
      if (get().byWorkspace[workspaceId]?.status !== 'ready') return
      try {
        const pins = await getApi()['restorePoints.pins']({ workspaceId })
        update(workspaceId, { pinned: new Set(pins.map((p) => p.restorePointId)) })
      } catch {
        // Pins are a decoration; the next load or event tries again.
      }
    },

    async setPinned(workspaceId, restorePointId, pinned) {
      const current = get().byWorkspace[workspaceId] ?? empty
      update(workspaceId, {
        pinning: new Set([...current.pinning, restorePointId]),
        pinError: null,
      })
      const done = (change: Partial<WorkspaceRestorePoints>) => {
        const pinning = new Set(get().byWorkspace[workspaceId]?.pinning ?? [])
        pinning.delete(restorePointId)
        update(workspaceId, { ...change, pinning })
      }
      try {
        const api = getApi()
        if (pinned) await api['restorePoints.pin']({ workspaceId, restorePoint: restorePointId })
        else await api['restorePoints.unpin']({ workspaceId, restorePoint: restorePointId })
        const next = new Set(get().byWorkspace[workspaceId]?.pinned ?? [])
        if (pinned) next.add(restorePointId)
        else next.delete(restorePointId)
        done({ pinned: next })
      } catch (error) {
        done({ pinError: toUiError(error) })
      }
    },

    applyRemoved({ workspaceId, restorePointIds }) {
      const removed = new Set(restorePointIds)
      for (const seen of inFlight.get(workspaceId) ?? [])
        for (const id of removed) seen.removed.add(id)
      const current = get().byWorkspace[workspaceId]
      if (!current) return
      update(workspaceId, {
        points: current.points.filter((p) => !removed.has(p.id)),
        damaged: current.damaged.filter((d) => !removed.has(d.id)),
      })
    },
  }
})

export function restorePointsOf(
  state: RestorePointsState,
  workspaceId: string | null,
): WorkspaceRestorePoints {
  return (workspaceId ? state.byWorkspace[workspaceId] : undefined) ?? empty
}
