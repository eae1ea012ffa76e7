import { create } from 'zustand'
import { fieldIssues, toUiError, type UiError } from '../lib/errors'
import {
  emptyWorkspaceDraft,
  hasWorkspaceErrors,
  toCreateInput,
  validateWorkspaceDraft,
  workspaceFieldOf,
  type WorkspaceDraft,
  type WorkspaceFieldErrors,
} from '../lib/workspace-form'
import { getApi } from './api'
import { useJobs } from './jobs'

/**
 * The create panel: closed, the form, or the create job it started (whose progress comes from
 * the jobs store, fed by job.updated events).
 */
export type CreatePanel =
  { mode: 'closed' } | { mode: 'form' } | { mode: 'job'; jobId: string; name: string }

interface CreateState {
  panel: CreatePanel
  draft: WorkspaceDraft
  /** Shown after the first Create press, then re-checked as the user types. */
  fieldErrors: WorkspaceFieldErrors
  submitting: boolean
  error: UiError | null
  openForm(location: string, serverType: string): void
  close(): void
  update(patch: Partial<WorkspaceDraft>): void
  submit(): Promise<void>
  /** Back from a failed create job to the form, with what was typed. */
  backToForm(): void
}

export const useWorkspaceCreate = create<CreateState>()((set, get) => ({
  panel: { mode: 'closed' },
  draft: emptyWorkspaceDraft(),
  fieldErrors: {},
  submitting: false,
  error: null,

  openForm(location, serverType) {
    const { draft } = get()
    set({
      panel: { mode: 'form' },
      draft: {
        ...draft,
        location: draft.location || location,
        serverType: draft.serverType || serverType,
      },
      fieldErrors: {},
      error: null,
    })
  },

  close() {
    set({ panel: { mode: 'closed' }, fieldErrors: {}, error: null })
  },

  update(patch) {
    set((s) => {
      const draft = { ...s.draft, ...patch }
      const fresh = validateWorkspaceDraft(draft)
      const fieldErrors: WorkspaceFieldErrors = {}
      for (const key of Object.keys(s.fieldErrors) as (keyof WorkspaceFieldErrors)[]) {
        if (fresh[key]) fieldErrors[key] = fresh[key]
      }
      return { draft, fieldErrors, error: null }
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
      const fields: WorkspaceFieldErrors = {}
      for (const [path, message] of Object.entries(fieldIssues(ui, ''))) {
        const field = workspaceFieldOf(path)
        if (field && !fields[field]) fields[field] = message
      }
      // A name already taken is the name field's problem.
      if (ui.code === 'conflict' && /name/i.test(ui.message)) fields.name = ui.message
      set((s) => ({ submitting: false, error: ui, fieldErrors: { ...s.fieldErrors, ...fields } }))
    }
  },

  backToForm() {
    set({ panel: { mode: 'form' }, error: null })
  },
}))

/** After a create succeeded the form starts empty again (the location and type are kept). */
export function resetCreateDraft(): void {
  const { draft } = useWorkspaceCreate.getState()
  useWorkspaceCreate.setState({
    draft: emptyWorkspaceDraft(draft.location, draft.serverType),
    panel: { mode: 'closed' },
  })
}
