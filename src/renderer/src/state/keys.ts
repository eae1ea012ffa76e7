import { create } from 'zustand'
import type { MethodOutput } from '../../../shared/contract'
import type { MasterKeyStatusView } from '../../../shared/domain/backup'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

type Rotation = MethodOutput<'keys.rotateMaster'>
type WorkspaceRotation =
  { state: 'running' } | { state: 'done'; keyVersion: number } | { state: 'error'; error: UiError }

interface KeysState {
  status: LoadStatus
  master: MasterKeyStatusView | null
  error: UiError | null
  load(): Promise<void>
  apply(master: MasterKeyStatusView): void

  rotating: boolean
  rotation: Rotation | null
  rotationError: UiError | null
  rotateMaster(): Promise<void>

  workspaceRotations: Record<string, WorkspaceRotation | undefined>
  rotateWorkspace(workspaceId: string): Promise<void>

  exporting: boolean
  exportError: UiError | null
  /**
   * A recovery key shown on this screen (after a rotation or an export), until the user says it is
   * saved. Only in memory: the core shows it once and never again without being asked.
   */
  recoveryKey: { value: string; keyId: string; reason: 'rotated' | 'exported' } | null
  exportRecovery(): Promise<void>
  recoverySaved(): void
}

let following = false

/** The master key (never the key itself), its rotation, workspace key rotation, recovery export. */
export const useKeys = create<KeysState>()((set, get) => ({
  status: 'idle',
  master: null,
  error: null,
  async load() {
    if (!following) {
      following = true
      getApi().on('keys.changed', (master) => get().apply(master))
    }
    set((s) => ({ status: s.master ? s.status : 'loading', error: null }))
    try {
      set({ status: 'ready', master: await getApi()['keys.status']({}) })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },
  apply(master) {
    set({ status: 'ready', master, error: null })
  },

  rotating: false,
  rotation: null,
  rotationError: null,
  async rotateMaster() {
    if (get().rotating) return
    set({ rotating: true, rotationError: null, rotation: null })
    try {
      const rotation = await getApi()['keys.rotateMaster']({})
      set({
        rotation,
        recoveryKey: { value: rotation.recoveryKey, keyId: rotation.keyId, reason: 'rotated' },
      })
      await get().load()
    } catch (error) {
      set({ rotationError: toUiError(error) })
    } finally {
      set({ rotating: false })
    }
  },

  workspaceRotations: {},
  async rotateWorkspace(workspaceId) {
    if (get().workspaceRotations[workspaceId]?.state === 'running') return
    const put = (r: WorkspaceRotation) =>
      set((s) => ({ workspaceRotations: { ...s.workspaceRotations, [workspaceId]: r } }))
    put({ state: 'running' })
    try {
      const { keyVersion } = await getApi()['keys.rotateWorkspace']({ workspaceId })
      put({ state: 'done', keyVersion })
    } catch (error) {
      put({ state: 'error', error: toUiError(error) })
    }
  },

  exporting: false,
  exportError: null,
  recoveryKey: null,
  async exportRecovery() {
    if (get().exporting) return
    set({ exporting: true, exportError: null })
    try {
      const shown = await getApi()['keys.exportRecovery']({ again: true })
      set({ recoveryKey: { value: shown.recoveryKey, keyId: shown.keyId, reason: 'exported' } })
      await get().load()
    } catch (error) {
      set({ exportError: toUiError(error) })
    } finally {
      set({ exporting: false })
    }
  },
  recoverySaved() {
    set({ recoveryKey: null, rotation: null })
  },
}))
