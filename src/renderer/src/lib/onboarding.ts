import type { RepositoryStatus } from '../../../shared/domain/backup'
import type { SettingsView } from '../../../shared/domain/settings'
import type { WorkspaceList } from '../../../shared/domain/workspace'

/** The guided first run, in order. */
export const onboardingSteps = ['welcome', 'storage', 'keys', 'compute', 'workspace'] as const
export type OnboardingStep = (typeof onboardingSteps)[number] | 'done'

export const stepTitles: Record<(typeof onboardingSteps)[number], string> = {
  welcome: 'Welcome',
  storage: 'Storage',
  keys: 'Recovery key',
  compute: 'Servers',
  workspace: 'Workspace',
}

/** What is done already, from the stores (so reopening skips it). */
export function completedSteps(
  settings: SettingsView | null,
  repository: RepositoryStatus | null,
  list: WorkspaceList | null,
  recoveryPending: boolean,
): Set<OnboardingStep> {
  const done = new Set<OnboardingStep>()
  if (settings?.storage) done.add('storage')
  if (done.has('storage') && repository?.state === 'ready' && !recoveryPending) done.add('keys')
  const hasWorkspace = (list?.workspaces.length ?? 0) > 0
  if (settings?.hasHetznerToken || hasWorkspace) done.add('compute')
  if (hasWorkspace) done.add('workspace')
  return done
}

export function firstOpenStep(done: Set<OnboardingStep>): OnboardingStep {
  // Nothing done: start at the welcome. Something done: go straight to what is left.
  if (done.size === 0) return 'welcome'
  return onboardingSteps.find((s) => s !== 'welcome' && !done.has(s)) ?? 'workspace'
}

/** The recovery key's groups; the confirmation asks for the last one. */
export function recoveryGroups(key: string): string[] {
  return key
    .trim()
    .split(/[\s-]+/)
    .filter(Boolean)
}

export interface ConfirmInput {
  lastGroup: string
  stored: boolean
}

/** Checks the typed group against the key; null when it may go on. */
export function confirmProblem(recoveryKey: string, input: ConfirmInput): string | null {
  const groups = recoveryGroups(recoveryKey)
  const last = groups[groups.length - 1] ?? ''
  const typed = input.lastGroup.trim().replace(/-/g, '')
  if (!typed) return `Type the last group of your recovery key (${last.length} characters).`
  if (typed.toUpperCase() !== last.toUpperCase()) {
    return 'That is not the last group of your recovery key. Press Back to see the key again.'
  }
  if (!input.stored) return 'Tick the box once the recovery key is stored somewhere safe.'
  return null
}
