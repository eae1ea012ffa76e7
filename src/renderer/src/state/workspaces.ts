import { create } from 'zustand'
import type { EventPayload, MethodOutput } from '../../../shared/contract'
import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceList, WorkspaceView } from '../../../shared/domain/workspace'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import { useJobs } from './jobs'
import type { LoadStatus } from './load'

type WorkspaceOpenCommand = MethodOutput<'workspaces.openVsCode'>

export type WorkspaceAction =
  'stop' | 'start' | 'backup' | 'delete' | 'ssh' | 'vscode' | 'terminal' | 'adopt'

/** What the last action on one workspace (or orphan) said, shown on its row until the next. */
export type ActionNote =
  | { kind: 'busy'; action: WorkspaceAction }
  | { kind: 'error'; action: WorkspaceAction; error: UiError }
  | { kind: 'ssh'; command: string; copied: boolean }
  | { kind: 'open'; action: 'vscode' | 'terminal'; result: WorkspaceOpenCommand }

interface WorkspacesState {
  status: LoadStatus
  list: WorkspaceList | null
  error: UiError | null
  reconciling: boolean
  reconcileError: UiError | null
  /** By workspace id, or `orphan:<serverId>` for orphans. */
  notes: Record<string, ActionNote | undefined>
  load(): Promise<void>
  reconcile(): Promise<void>
  /** A workspaces.changed event: the core's view of one workspace wins over ours. */
  applyChange(change: EventPayload<'workspaces.changed'>): void
  /** A workspaces.reconciled event, or a list/reconcile result. */
  applyList(list: WorkspaceList): void
  stop(id: string): Promise<Job | null>
  start(id: string): Promise<Job | null>
  backup(id: string): Promise<Job | null>
  remove(id: string, confirmName: string): Promise<Job | null>
  copySsh(id: string): Promise<void>
  open(id: string, action: 'vscode' | 'terminal'): Promise<void>
  deleteOrphan(serverId: number, confirmName: string): Promise<Job | null>
  adoptOrphan(serverId: number, name: string, hostKey: string): Promise<boolean>
  /** Adds a workspace found in the repository (made on another computer) as stopped. */
  importDiscovered(workspaceId: string, name: string): Promise<boolean>
  dismiss(key: string): void
}

export function orphanKey(serverId: number): string {
  return `orphan:${serverId}`
}

export function discoveredKey(workspaceId: string): string {
  return `discovered:${workspaceId}`
}

function upsert(list: WorkspaceList, id: string, workspace: WorkspaceView | null): WorkspaceList {
  const workspaces = list.workspaces.filter((w) => w.id !== id)
  if (workspace) {
    const index = list.workspaces.findIndex((w) => w.id === id)
    if (index < 0) workspaces.push(workspace)
    else workspaces.splice(index, 0, workspace)
  }
  // An adopted orphan is a workspace now.
  const orphans = workspace
    ? list.orphans.filter((o) => o.serverId !== workspace.server?.id)
    : list.orphans
  return { ...list, workspaces, orphans }
}

async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // No clipboard permission (e.g. a browser on another machine): the command is shown instead.
    return false
  }
}

/** Changes seen while a workspaces.list call is in flight, per call. */
const inFlight = new Set<Map<string, WorkspaceView | null>>()

export const useWorkspaces = create<WorkspacesState>()((set, get) => {
  function note(key: string, value: ActionNote | undefined) {
    set((s) => ({ notes: { ...s.notes, [key]: value } }))
  }

  /** Runs a job-returning method; the job goes into the jobs store at once, events follow. */
  async function job(
    key: string,
    action: WorkspaceAction,
    call: () => Promise<Job>,
  ): Promise<Job | null> {
    note(key, { kind: 'busy', action })
    try {
      const started = await call()
      useJobs.getState().upsert(started)
      note(key, undefined)
      return started
    } catch (error) {
      note(key, { kind: 'error', action, error: toUiError(error) })
      return null
    }
  }

  return {
    status: 'idle',
    list: null,
    error: null,
    reconciling: false,
    reconcileError: null,
    notes: {},

    async load() {
      set((s) => ({ status: s.list ? s.status : 'loading', error: null }))
      const seen = new Map<string, WorkspaceView | null>()
      inFlight.add(seen)
      try {
        let list = await getApi()['workspaces.list']({})
        // Changes that arrived while the list was in flight are newer than the list's copy.
        for (const [id, workspace] of seen) list = upsert(list, id, workspace)
        get().applyList(list)
        // The problem may be from before the token or storage was added: look again once.
        if (list.reconcileProblem) void get().reconcile()
      } catch (error) {
        set({ status: 'error', error: toUiError(error) })
      } finally {
        inFlight.delete(seen)
      }
    },

    async reconcile() {
      if (get().reconciling) return
      set({ reconciling: true, reconcileError: null })
      try {
        get().applyList(await getApi()['workspaces.reconcile']({}))
        set({ reconciling: false })
      } catch (error) {
        set({ reconciling: false, reconcileError: toUiError(error) })
      }
    },

    applyChange({ id, workspace }) {
      for (const seen of inFlight) seen.set(id, workspace)
      set((s) => (s.list ? { list: upsert(s.list, id, workspace) } : {}))
    },

    applyList(list) {
      set({ status: 'ready', list, error: null })
    },

    stop: (id) => job(id, 'stop', () => getApi()['workspaces.stop']({ id })),
    start: (id) => job(id, 'start', () => getApi()['workspaces.start']({ id })),
    backup: (id) => job(id, 'backup', () => getApi()['workspaces.backup']({ id })),
    remove: (id, confirmName) =>
      job(id, 'delete', () => getApi()['workspaces.delete']({ id, confirmName })),

    async copySsh(id) {
      note(id, { kind: 'busy', action: 'ssh' })
      try {
        const { command } = await getApi()['workspaces.sshCommand']({ id })
        note(id, { kind: 'ssh', command, copied: await writeClipboard(command) })
      } catch (error) {
        note(id, { kind: 'error', action: 'ssh', error: toUiError(error) })
      }
    },

    async open(id, action) {
      note(id, { kind: 'busy', action })
      try {
        const method = action === 'vscode' ? 'workspaces.openVsCode' : 'workspaces.openTerminal'
        note(id, { kind: 'open', action, result: await getApi()[method]({ id }) })
      } catch (error) {
        note(id, { kind: 'error', action, error: toUiError(error) })
      }
    },

    deleteOrphan: (serverId, confirmName) =>
      job(orphanKey(serverId), 'delete', () =>
        getApi()['workspaces.deleteOrphan']({ serverId, confirmName }),
      ),

    async adoptOrphan(serverId, name, hostKey) {
      const key = orphanKey(serverId)
      note(key, { kind: 'busy', action: 'adopt' })
      try {
        const workspace = await getApi()['workspaces.adoptOrphan']({ serverId, name, hostKey })
        get().applyChange({ id: workspace.id, workspace })
        set((s) =>
          s.list
            ? {
                list: { ...s.list, orphans: s.list.orphans.filter((o) => o.serverId !== serverId) },
              }
            : {},
        )
        note(key, undefined)
        return true
      } catch (error) {
        note(key, { kind: 'error', action: 'adopt', error: toUiError(error) })
        return false
      }
    },

    async importDiscovered(workspaceId, name) {
      const key = discoveredKey(workspaceId)
      note(key, { kind: 'busy', action: 'adopt' })
      try {
        const workspace = await getApi()['workspaces.importDiscovered']({ workspaceId, name })
        get().applyChange({ id: workspace.id, workspace })
        set((s) =>
          s.list
            ? {
                list: {
                  ...s.list,
                  discovered: s.list.discovered.filter((d) => d.workspaceId !== workspaceId),
                },
              }
            : {},
        )
        note(key, undefined)
        return true
      } catch (error) {
        note(key, { kind: 'error', action: 'adopt', error: toUiError(error) })
        return false
      }
    },

    dismiss(key) {
      note(key, undefined)
    },
  }
})
