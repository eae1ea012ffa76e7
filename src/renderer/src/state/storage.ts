import { create } from 'zustand'
import type { StorageTestResult } from '../../../shared/domain/storage'
import { fieldIssues, toUiError, type UiError } from '../lib/errors'
import {
  draftFromConfig,
  emptyDraft,
  hasErrors,
  storedSecretApplies,
  toStorageInput,
  validateDraft,
  type FieldErrors,
  type StorageDraft,
} from '../lib/storage-form'
import { getApi } from './api'
import { useSettings } from './settings'

/** What the last Test or Save did; one at a time, the buttons are disabled while it runs. */
export type StorageRun =
  | { status: 'idle' }
  | { status: 'running'; action: 'test' | 'save' }
  | { status: 'tested' | 'saved' | 'not-saved'; result: StorageTestResult }
  | { status: 'error'; action: 'test' | 'save'; error: UiError }

interface StorageState {
  draft: StorageDraft
  /** Shown only after the user asked for a test or save, or edited a field already flagged. */
  fieldErrors: FieldErrors
  run: StorageRun
  /** The form is open over a saved configuration. */
  editing: boolean
  removal: { status: 'idle' | 'busy' } | { status: 'error'; error: UiError }
  update(patch: Partial<StorageDraft>): void
  edit(): void
  cancelEdit(): void
  test(): Promise<void>
  /** Tests what is saved, with the secret from the keychain. */
  testSaved(): Promise<void>
  save(): Promise<void>
  remove(): Promise<void>
}

function secretStored(draft: StorageDraft): boolean {
  const settings = useSettings.getState().settings
  return storedSecretApplies(draft, settings?.storage ?? null, settings?.hasStorageSecret ?? false)
}

export const useStorage = create<StorageState>()((set, get) => {
  /** Validates locally; returns the request or null when a field needs fixing first. */
  function prepare() {
    const { draft } = get()
    const errors = validateDraft(draft, secretStored(draft))
    set({ fieldErrors: errors })
    return hasErrors(errors) ? null : toStorageInput(draft)
  }

  function failed(action: 'test' | 'save', error: unknown) {
    const ui = toUiError(error)
    const fields: FieldErrors = fieldIssues(ui, 'config.')
    const secretIssue = fieldIssues(ui, '').secretAccessKey
    if (secretIssue) fields.secretAccessKey = secretIssue
    // The keychain holds a secret per endpoint, bucket and key id; after changing one of them the
    // core asks for the secret again.
    if (ui.code === 'not_configured' && get().draft.kind === 's3')
      fields.secretAccessKey = ui.message
    set((s) => ({
      run: { status: 'error', action, error: ui },
      fieldErrors: { ...s.fieldErrors, ...fields },
    }))
  }

  return {
    draft: emptyDraft(),
    fieldErrors: {},
    run: { status: 'idle' },
    editing: false,
    removal: { status: 'idle' },

    update(patch) {
      set((s) => {
        const draft = { ...s.draft, ...patch }
        // Re-check only fields already flagged, so errors clear as the user fixes them.
        const fresh = validateDraft(draft, secretStored(draft))
        const fieldErrors: FieldErrors = {}
        for (const key of Object.keys(s.fieldErrors) as (keyof FieldErrors)[]) {
          if (fresh[key]) fieldErrors[key] = fresh[key]
        }
        return { draft, fieldErrors, run: s.run.status === 'running' ? s.run : { status: 'idle' } }
      })
    },

    edit() {
      const saved = useSettings.getState().settings?.storage ?? null
      set({
        editing: true,
        draft: draftFromConfig(saved),
        fieldErrors: {},
        run: { status: 'idle' },
      })
    },

    cancelEdit() {
      set({ editing: false, fieldErrors: {}, run: { status: 'idle' } })
    },

    async test() {
      if (get().run.status === 'running') return
      const input = prepare()
      if (!input) return
      set({ run: { status: 'running', action: 'test' } })
      try {
        const result = await getApi()['storage.test'](input)
        set({ run: { status: 'tested', result } })
      } catch (error) {
        failed('test', error)
      }
    },

    async testSaved() {
      const saved = useSettings.getState().settings?.storage
      if (!saved || get().run.status === 'running') return
      set({ run: { status: 'running', action: 'test' } })
      try {
        const result = await getApi()['storage.test']({ config: saved })
        set({ run: { status: 'tested', result } })
      } catch (error) {
        failed('test', error)
      }
    },

    async save() {
      if (get().run.status === 'running') return
      const input = prepare()
      if (!input) return
      set({ run: { status: 'running', action: 'save' } })
      try {
        const { test, settings } = await getApi()['storage.save'](input)
        useSettings.getState().apply(settings)
        if (test.ok) {
          set((s) => ({
            run: { status: 'saved', result: test },
            editing: false,
            draft: { ...s.draft, secretAccessKey: '' },
          }))
        } else {
          set({ run: { status: 'not-saved', result: test } })
        }
      } catch (error) {
        failed('save', error)
      }
    },

    async remove() {
      set({ removal: { status: 'busy' } })
      try {
        const settings = await getApi()['storage.clear']({})
        useSettings.getState().apply(settings)
        set({
          removal: { status: 'idle' },
          run: { status: 'idle' },
          editing: false,
          draft: emptyDraft(),
        })
      } catch (error) {
        set({ removal: { status: 'error', error: toUiError(error) } })
      }
    },
  }
})
