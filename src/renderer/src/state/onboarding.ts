import { create } from 'zustand'
import type { SshKeyView } from '../../../shared/domain/backup'
import type { MethodInput, MethodOutput } from '../../../shared/contract'
import { toUiError, type UiError } from '../lib/errors'
import { completedSteps, firstOpenStep, type OnboardingStep } from '../lib/onboarding'
import { getApi } from './api'
import { useNavigation } from './navigation'
import { useRepository } from './repository'
import { useSettings } from './settings'
import { useWorkspaces } from './workspaces'

/** Where the recovery key step is: shown once, then typed back before going on. */
export type RecoveryStage = 'show' | 'confirm'

export type ImportRun =
  { status: 'idle' | 'busy' | 'done' } | { status: 'error'; error: UiError; field: boolean }

export type HostKeyProbe = MethodOutput<'workspaces.probeHostKey'>

/** The "a server I already have" path: Cairn's login key, the host's key, the adoption. */
export interface SshHostState {
  keys: SshKeyView[] | null
  keysError: UiError | null
  /** A key being made, a host being probed, or the host being adopted. */
  busy: 'key' | 'probe' | 'adopt' | null
  probe: HostKeyProbe | null
  error: UiError | null
}

interface OnboardingState {
  step: OnboardingStep
  recoveryStage: RecoveryStage
  importRun: ImportRun
  /** The create job the workspace step started, and the name it was given. */
  createJob: { jobId: string; name: string } | null
  /** The workspace the run ended with (made here, or adopted). */
  finishedWorkspaceId: string | null
  /** Opens onboarding at the first step not done yet. */
  open(): void
  /** "Set up later": back to the app; Settings and the Workspaces screen lead here again. */
  leave(): void
  goTo(step: OnboardingStep): void
  setRecoveryStage(stage: RecoveryStage): void
  importRecovery(recoveryKey: string): Promise<boolean>
  resetImport(): void
  setCreateJob(job: { jobId: string; name: string } | null): void
  finish(workspaceId: string): void
  ssh: SshHostState
  loadSshKeys(): Promise<void>
  generateSshKey(): Promise<void>
  probeHost(host: string, port: number): Promise<boolean>
  forgetProbe(): void
  adoptHost(input: MethodInput<'workspaces.adoptSsh'>): Promise<boolean>
}

export const useOnboarding = create<OnboardingState>()((set, get) => ({
  step: 'welcome',
  recoveryStage: 'show',
  importRun: { status: 'idle' },
  createJob: null,
  finishedWorkspaceId: null,

  open() {
    const done = completedSteps(
      useSettings.getState().settings,
      useRepository.getState().repository,
      useWorkspaces.getState().list,
      useRepository.getState().recoveryKey !== null,
    )
    set({ step: firstOpenStep(done), importRun: { status: 'idle' } })
    useNavigation.getState().go('onboarding')
    markGate('shown')
  },

  leave() {
    useNavigation.getState().go('workspaces')
    markGate('left')
  },

  goTo(step) {
    set({ step })
  },

  setRecoveryStage(stage) {
    set({ recoveryStage: stage })
  },

  async importRecovery(recoveryKey) {
    const text = recoveryKey.trim()
    if (!text) {
      set({
        importRun: {
          status: 'error',
          field: true,
          error: { code: 'invalid_input', message: 'Paste or type your recovery key.' },
        },
      })
      return false
    }
    set({ importRun: { status: 'busy' } })
    try {
      await getApi()['keys.importRecovery']({ recoveryKey: text, replace: false })
      set({ importRun: { status: 'done' } })
      await useRepository.getState().load()
      // Workspaces made on the other computer can be listed now.
      void useWorkspaces.getState().reconcile()
      return true
    } catch (error) {
      const ui = toUiError(error)
      set({ importRun: { status: 'error', error: ui, field: ui.code === 'invalid_input' } })
      return false
    }
  },

  resetImport() {
    set({ importRun: { status: 'idle' } })
  },

  setCreateJob(job) {
    set({ createJob: job })
  },

  finish(workspaceId) {
    set({ step: 'done', finishedWorkspaceId: workspaceId })
  },

  ssh: { keys: null, keysError: null, busy: null, probe: null, error: null },

  async loadSshKeys() {
    try {
      const keys = await getApi()['sshKeys.list']({})
      set((s) => ({ ssh: { ...s.ssh, keys, keysError: null } }))
    } catch (error) {
      set((s) => ({ ssh: { ...s.ssh, keysError: toUiError(error) } }))
    }
  },

  async generateSshKey() {
    if (get().ssh.busy) return
    set((s) => ({ ssh: { ...s.ssh, busy: 'key', error: null } }))
    try {
      const key = await getApi()['sshKeys.generate']({ name: 'Cairn' })
      set((s) => ({ ssh: { ...s.ssh, busy: null, keys: [...(s.ssh.keys ?? []), key] } }))
    } catch (error) {
      set((s) => ({ ssh: { ...s.ssh, busy: null, error: toUiError(error) } }))
    }
  },

  async probeHost(host, port) {
    if (get().ssh.busy) return false
    set((s) => ({ ssh: { ...s.ssh, busy: 'probe', probe: null, error: null } }))
    try {
      const probe = await getApi()['workspaces.probeHostKey']({ host, port })
      set((s) => ({ ssh: { ...s.ssh, busy: null, probe } }))
      return true
    } catch (error) {
      set((s) => ({ ssh: { ...s.ssh, busy: null, error: toUiError(error) } }))
      return false
    }
  },

  forgetProbe() {
    set((s) => ({ ssh: { ...s.ssh, probe: null, error: null } }))
  },

  async adoptHost(input) {
    if (get().ssh.busy) return false
    set((s) => ({ ssh: { ...s.ssh, busy: 'adopt', error: null } }))
    try {
      const workspace = await getApi()['workspaces.adoptSsh'](input)
      useWorkspaces.getState().applyChange({ id: workspace.id, workspace })
      set((s) => ({ ssh: { ...s.ssh, busy: null } }))
      get().finish(workspace.id)
      return true
    } catch (error) {
      set((s) => ({ ssh: { ...s.ssh, busy: null, error: toUiError(error) } }))
      return false
    }
  },
}))

/** For tests and tools: whether onboarding holds the window ("shown"), was left, or not needed. */
function markGate(state: 'shown' | 'left' | 'skipped') {
  document.documentElement.dataset.onboardingGate = state
}

/**
 * Decides once per start, after the first settings and workspace loads, whether this is a first
 * run: no storage, no Hetzner token and no workspaces. Then onboarding takes the window. The
 * decision is written to `<html data-onboarding-gate>` ("shown" or "skipped") so tests know when
 * the app has settled; "left" after "Set up later".
 */
export function startOnboardingGate(): () => void {
  let decided = false
  function decide() {
    if (decided) return
    const settings = useSettings.getState()
    const workspaces = useWorkspaces.getState()
    const settled = (s: string) => s === 'ready' || s === 'error'
    if (!settled(settings.status) || !settled(workspaces.status)) return
    decided = true
    const firstRun =
      settings.settings !== null &&
      !settings.settings.storage &&
      !settings.settings.hasHetznerToken &&
      workspaces.list !== null &&
      workspaces.list.workspaces.length === 0
    // Someone already went elsewhere (e.g. a link): leave them there.
    if (firstRun && useNavigation.getState().page === 'workspaces') useOnboarding.getState().open()
    else markGate('skipped')
  }
  const stops = [useSettings.subscribe(decide), useWorkspaces.subscribe(decide)]
  decide()
  return () => {
    for (const stop of stops) stop()
  }
}
