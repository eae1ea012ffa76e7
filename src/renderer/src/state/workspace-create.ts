import { create } from 'zustand'
import type { RestorePoint } from '../../../shared/domain/backup'
import type { WorkspacePreflight } from '../../../shared/domain/workspace'
import { fieldIssues, toUiError, type UiError } from '../lib/errors'
import {
  DEFAULT_IDLE_MINUTES,
  emptyWorkspaceDraft,
  hasWorkspaceErrors,
  idleFieldsOf,
  toCreateInput,
  validateWorkspaceDraft,
  workspaceFieldOf,
  type WorkspaceDraft,
  type WorkspaceFieldErrors,
} from '../lib/workspace-form'
import { getApi } from './api'
import { useJobs } from './jobs'
import { useSettings } from './settings'

/**
 * The create panel: closed, the form, or the create job it started (whose progress comes from
 * the jobs store, fed by job.updated events).
 */
export type CreatePanel =
  { mode: 'closed' } | { mode: 'form' } | { mode: 'job'; jobId: string; name: string }

/** The checks before money is spent, for the draft they were run on (any edit clears them). */
export type PreflightState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; result: WorkspacePreflight }
  | { status: 'error'; error: UiError }

/** Restore points of the workspace a new one may start from (newest first). */
export type SourcePoints =
  | { status: 'idle' }
  | { status: 'loading'; workspaceId: string }
  | { status: 'ready'; workspaceId: string; points: RestorePoint[] }
  | { status: 'error'; workspaceId: string; error: UiError }

interface CreateState {
  preflight: PreflightState
  sourcePoints: SourcePoints
  /** Validates the draft, then runs workspaces.preflight; Create is offered once it passed. */
  check(): Promise<void>
  loadSourcePoints(workspaceId: string): Promise<void>
  panel: CreatePanel
  draft: WorkspaceDraft
  /** Shown after the first Create press, then re-checked as the user types. */
  fieldErrors: WorkspaceFieldErrors
  submitting: boolean
  error: UiError | null
  /**
   * The auto-stop fields still show the user's default (Settings > General): true until they are
   * edited, and again after a reset; the default then follows the setting as it changes.
   */
  idleFromDefault: boolean
  openForm(location: string, serverType: string): void
  close(): void
  update(patch: Partial<WorkspaceDraft>): void
  submit(): Promise<void>
  /** Back from a failed create job to the form, with what was typed. */
  backToForm(): void
}

/** The form fields an error of the core names. */
function fieldsOf(ui: UiError): WorkspaceFieldErrors {
  const fields: WorkspaceFieldErrors = {}
  for (const [path, message] of Object.entries(fieldIssues(ui, ''))) {
    const field = workspaceFieldOf(path)
    if (field && !fields[field]) fields[field] = message
  }
  // A name already taken is the name field's problem.
  if (ui.code === 'conflict' && /name/i.test(ui.message)) fields.name = ui.message
  return fields
}

export const useWorkspaceCreate = create<CreateState>()((set, get) => ({
  panel: { mode: 'closed' },
  draft: emptyWorkspaceDraft(),
  fieldErrors: {},
  submitting: false,
  error: null,
  idleFromDefault: true,
  preflight: { status: 'idle' },
  sourcePoints: { status: 'idle' },

  async check() {
    const { draft } = get()
    const errors = validateWorkspaceDraft(draft)
    set({ fieldErrors: errors, error: null })
    if (hasWorkspaceErrors(errors)) return
    set({ preflight: { status: 'running' } })
    try {
      const result = await getApi()['workspaces.preflight'](toCreateInput(draft))
      // An edit while the checks ran makes them stale.
      if (get().draft !== draft) return
      set({ preflight: { status: 'done', result } })
    } catch (error) {
      if (get().draft !== draft) return
      const ui = toUiError(error)
      set((s) => ({
        preflight: { status: 'error', error: ui },
        fieldErrors: { ...s.fieldErrors, ...fieldsOf(ui) },
      }))
    }
  },

  async loadSourcePoints(workspaceId) {
    set({ sourcePoints: { status: 'loading', workspaceId } })
    try {
      const list = await getApi()['restorePoints.list']({ workspaceId })
      const points = [...list.restorePoints].reverse()
      if (get().draft.fromWorkspaceId !== workspaceId) return
      set({ sourcePoints: { status: 'ready', workspaceId, points } })
    } catch (error) {
      if (get().draft.fromWorkspaceId !== workspaceId) return
      set({ sourcePoints: { status: 'error', workspaceId, error: toUiError(error) } })
    }
  },

  openForm(location, serverType) {
    const { draft, idleFromDefault } = get()
    const idle = idleFromDefault ? idleFieldsOf(defaultIdleMinutes()) : {}
    set({
      panel: { mode: 'form' },
      draft: {
        ...draft,
        ...idle,
        location: draft.location || location,
        serverType: draft.serverType || serverType,
      },
      fieldErrors: {},
      error: null,
    })
  },

  close() {
    set({ panel: { mode: 'closed' }, fieldErrors: {}, error: null, preflight: { status: 'idle' } })
  },

  update(patch) {
    if ('idleEnabled' in patch || 'idleMinutes' in patch) set({ idleFromDefault: false })
    set((s) => {
      const draft = { ...s.draft, ...patch }
      const fresh = validateWorkspaceDraft(draft)
      const fieldErrors: WorkspaceFieldErrors = {}
      for (const key of Object.keys(s.fieldErrors) as (keyof WorkspaceFieldErrors)[]) {
        if (fresh[key]) fieldErrors[key] = fresh[key]
      }
      return { draft, fieldErrors, error: null, preflight: { status: 'idle' } }
    })
  },

  async submit() {
    if (get().submitting) return
    const { draft } = get()
    const errors = validateWorkspaceDraft(draft)
    set({ fieldErrors: errors, error: null })
    if (hasWorkspaceErrors(errors)) return
    set({ submitting: true })
    try {
      const job = await getApi()['workspaces.create'](toCreateInput(draft))
      useJobs.getState().upsert(job)
      set({
        submitting: false,
        panel: { mode: 'job', jobId: job.id, name: draft.name.trim() },
        fieldErrors: {},
      })
    } catch (error) {
      const ui = toUiError(error)
      set((s) => ({
        submitting: false,
        error: ui,
        preflight: { status: 'idle' },
        fieldErrors: { ...s.fieldErrors, ...fieldsOf(ui) },
      }))
    }
  },

  backToForm() {
    set({ panel: { mode: 'form' }, error: null, preflight: { status: 'idle' } })
  },
}))

/** After a create succeeded the form starts empty again (the location and type are kept). */
export function resetCreateDraft(): void {
  const { draft } = useWorkspaceCreate.getState()
  useWorkspaceCreate.setState({
    draft: emptyWorkspaceDraft(draft.location, draft.serverType, defaultIdleMinutes()),
    panel: { mode: 'closed' },
    idleFromDefault: true,
  })
}

/** The user's default auto-stop for new workspaces (30 minutes until settings are loaded). */
function defaultIdleMinutes(): number | null {
  const preferences = useSettings.getState().settings?.preferences
  return preferences ? preferences.defaultIdleTimeoutMinutes : DEFAULT_IDLE_MINUTES
}

// A default changed in Settings reaches a form whose auto-stop was not edited.
useSettings.subscribe((state, before) => {
  const now = state.settings?.preferences.defaultIdleTimeoutMinutes
  if (now === undefined || now === before.settings?.preferences.defaultIdleTimeoutMinutes) return
  const { idleFromDefault, draft } = useWorkspaceCreate.getState()
  if (idleFromDefault) useWorkspaceCreate.setState({ draft: { ...draft, ...idleFieldsOf(now) } })
})
