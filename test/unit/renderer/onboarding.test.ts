import { describe, expect, it } from 'vitest'
import type { RepositoryStatus } from '../../../src/shared/domain/backup'
import type { SettingsView } from '../../../src/shared/domain/settings'
import type { WorkspaceList } from '../../../src/shared/domain/workspace'
import {
  completedSteps,
  confirmProblem,
  firstOpenStep,
  recoveryGroups,
} from '../../../src/renderer/src/lib/onboarding'

// Shaped like a recovery key (13 groups of 5 Crockford base32 characters), made at run time so no
// key-like string is written into the repository. This project is typechecked for the browser, so
// it uses Web Crypto rather than the core's Node-only formatter.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const key = Array.from({ length: 13 }, () =>
  Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => CROCKFORD[b % 32]).join(''),
).join('-')
const groups = key.split('-')
const otherGroup = groups.find((g) => g !== groups.at(-1))!
const lastGroup = groups.at(-1)!

const settings = (patch: Partial<SettingsView>) =>
  ({ storage: null, hasHetznerToken: false, ...patch }) as SettingsView
const repository = (state: RepositoryStatus['state']) => ({ state }) as RepositoryStatus
const list = (count: number) =>
  ({ workspaces: Array.from({ length: count }, (_, i) => ({ id: `w${i}` })) }) as WorkspaceList
const folder = { kind: 'folder', path: '/backups' } as const

describe('onboarding: where it starts', () => {
  it('starts at the welcome when nothing is done', () => {
    const done = completedSteps(settings({}), null, list(0), false)
    expect([...done]).toEqual([])
    expect(firstOpenStep(done)).toBe('welcome')
  })

  it('skips what is done: storage saved and the repository open go straight to the servers', () => {
    const done = completedSteps(settings({ storage: folder }), repository('ready'), list(0), false)
    expect(firstOpenStep(done)).toBe('compute')
  })

  it('keeps the recovery key step while a new key waits to be confirmed', () => {
    const done = completedSteps(settings({ storage: folder }), repository('ready'), list(0), true)
    expect(firstOpenStep(done)).toBe('keys')
  })

  it('does not count a repository that does not open as done', () => {
    for (const state of ['no_master_key', 'wrong_key', 'unavailable'] as const) {
      const done = completedSteps(settings({ storage: folder }), repository(state), list(0), false)
      expect(firstOpenStep(done)).toBe('keys')
    }
  })

  it('a stored token leaves the first workspace; a workspace means the servers step is done', () => {
    const token = settings({ storage: folder, hasHetznerToken: true })
    expect(firstOpenStep(completedSteps(token, repository('ready'), list(0), false))).toBe(
      'workspace',
    )
    const byo = completedSteps(settings({ storage: folder }), repository('ready'), list(1), false)
    expect(byo.has('compute') && byo.has('workspace')).toBe(true)
  })
})

describe('onboarding: the recovery key check', () => {
  it('splits the key into its groups', () => {
    expect(recoveryGroups(key)).toHaveLength(13)
    expect(recoveryGroups(` ${key} `).at(-1)).toBe(lastGroup)
  })

  it('accepts the last group in any case, once the box is ticked', () => {
    expect(confirmProblem(key, { lastGroup: lastGroup.toLowerCase(), stored: true })).toBeNull()
    expect(confirmProblem(key, { lastGroup: ` ${lastGroup} `, stored: true })).toBeNull()
  })

  it('refuses an empty or wrong group, and an unticked box', () => {
    expect(confirmProblem(key, { lastGroup: '', stored: true })).toMatch(/Type the last group/)
    expect(confirmProblem(key, { lastGroup: otherGroup, stored: true })).toMatch(
      /not the last group/,
    )
    expect(confirmProblem(key, { lastGroup, stored: false })).toMatch(/Tick the box/)
  })
})
