import { create } from 'zustand'
import type { ForgetResult, RetentionPolicy, RetentionView } from '../../../shared/domain/schedules'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import { idle, type Loadable } from './load'

interface RetentionState {
  /** retention.get per workspace id. */
  views: Record<string, Loadable<RetentionView> | undefined>
  /** restorePoints.forget {dryRun: true} per workspace id: what the policy would remove. */
  previews: Record<string, Loadable<ForgetResult> | undefined>
  saving: boolean
  saveError: UiError | null
  load(workspaceId: string): Promise<void>
  /** retention.set; `null` goes back to the defaults. True when the core took it. */
  save(workspaceId: string, policy: RetentionPolicy | null): Promise<boolean>
  /** A dry run of `policy` (or the workspace's own when left out); nothing changes. */
  preview(workspaceId: string, policy?: RetentionPolicy): Promise<void>
  clearPreview(workspaceId: string): void
}

/** Retention policies, per workspace, with a dry run of what a policy would remove. */
export const useRetention = create<RetentionState>()((set) => ({
  views: {},
  previews: {},
  saving: false,
  saveError: null,
  async load(workspaceId) {
    set((s) => ({
      views: {
        ...s.views,
        [workspaceId]: { ...(s.views[workspaceId] ?? idle()), status: 'loading', error: null },
      },
    }))
    try {
      const view = await getApi()['retention.get']({ workspaceId })
      set((s) => ({
        views: { ...s.views, [workspaceId]: { status: 'ready', data: view, error: null } },
      }))
    } catch (error) {
      set((s) => ({
        views: {
          ...s.views,
          [workspaceId]: { status: 'error', data: null, error: toUiError(error) },
        },
      }))
    }
  },
  async save(workspaceId, policy) {
    set({ saving: true, saveError: null })
    try {
      const view = await getApi()['retention.set']({ workspaceId, policy })
      set((s) => ({
        views: { ...s.views, [workspaceId]: { status: 'ready', data: view, error: null } },
        previews: { ...s.previews, [workspaceId]: undefined },
      }))
      return true
    } catch (error) {
      set({ saveError: toUiError(error) })
      return false
    } finally {
      set({ saving: false })
    }
  },
  async preview(workspaceId, policy) {
    set((s) => ({
      previews: { ...s.previews, [workspaceId]: { status: 'loading', data: null, error: null } },
    }))
    try {
      const result = await getApi()['restorePoints.forget']({
        workspaceId,
        dryRun: true,
        ...(policy ? { policy } : {}),
      })
      set((s) => ({
        previews: { ...s.previews, [workspaceId]: { status: 'ready', data: result, error: null } },
      }))
    } catch (error) {
      set((s) => ({
        previews: {
          ...s.previews,
          [workspaceId]: { status: 'error', data: null, error: toUiError(error) },
        },
      }))
    }
  },
  clearPreview(workspaceId) {
    set((s) => ({ previews: { ...s.previews, [workspaceId]: undefined } }))
  },
}))
