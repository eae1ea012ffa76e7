import { describe, expect, it } from 'vitest'
import { trayActionCalls } from '../../../src/main/core/desktop/tray-actions'
import { trayModel, type TrayItem } from '../../../src/main/core/desktop/tray-menu'
import {
  applyTrayEvent,
  emptyTrayState,
  withPause,
  type TrayState,
} from '../../../src/main/core/desktop/tray-state'
import type { PolicyInput } from '../../../src/shared/desktop/notification-policy'
import type { WorkspaceView } from '../../../src/shared/domain/workspace'
import { T0, idle, job, list, orphan, workspace } from './fixtures'

function stateOf(workspaces: WorkspaceView[], ...events: PolicyInput[]): TrayState {
  let state = applyTrayEvent(emptyTrayState(), {
    event: 'workspaces.reconciled',
    payload: list(workspaces),
  })
  for (const event of events) state = applyTrayEvent(state, event)
  return state
}

const labels = (items: TrayItem[]) =>
  items.map((i) => (i.type === 'separator' ? '---' : `${i.label}${i.enabled ? '' : ' (off)'}`))

function entry(items: TrayItem[], label: string) {
  const found = items.find((i) => i.type === 'item' && i.label.startsWith(label))
  if (!found || found.type !== 'item')
    throw new Error(`no item ${label}: ${labels(items).join(' | ')}`)
  return found
}

const jobUpdated = (overrides: Parameters<typeof job>[0]): PolicyInput => ({
  event: 'job.updated',
  payload: job(overrides),
})

describe('tray model', () => {
  it('says it is loading before the first list', () => {
    const model = trayModel(emptyTrayState(), T0)
    expect(model.icon).toBe('idle')
    expect(labels(model.items)[0]).toBe('Loading workspaces… (off)')
  })

  it('has an empty state and the fixed items', () => {
    const model = trayModel(stateOf([]), T0)
    expect(labels(model.items)).toEqual([
      'No workspaces yet (off)',
      '---',
      'Back up all running (off)',
      'Pause auto-stop for 1 hour',
      '---',
      'Open Cairn',
      'Quit Cairn',
    ])
    expect(model.tooltip).toBe('Cairn — no workspaces')
  })

  it('lists workspaces with their state and the actions that fit it', () => {
    const model = trayModel(
      stateOf([
        workspace({ name: 'web' }),
        workspace({ name: 'docs', state: 'stopped', cost: null }),
        workspace({ name: 'home', provider: 'ssh' }),
      ]),
      T0,
    )
    expect(labels(model.items).slice(0, 3)).toEqual([
      'web — running',
      'docs — stopped',
      'home — running',
    ])
    expect(model.icon).toBe('idle')
    expect(model.tooltip).toBe('Cairn — 2 of 3 running')

    const web = entry(model.items, 'web')
    expect(labels(web.submenu ?? [])).toEqual(['Back up now', 'Stop', '---', 'Show in Cairn'])
    expect(web.submenu?.[0]).toMatchObject({ action: { kind: 'backup', workspaceId: 'ws-web' } })
    expect(web.submenu?.[1]).toMatchObject({ action: { kind: 'stop', workspaceId: 'ws-web' } })
    expect(web.submenu?.[3]).toMatchObject({ action: { kind: 'open', workspaceId: 'ws-web' } })

    const docs = entry(model.items, 'docs')
    expect(labels(docs.submenu ?? [])).toEqual(['Start', '---', 'Show in Cairn'])
    expect(docs.submenu?.[0]).toMatchObject({ action: { kind: 'start', workspaceId: 'ws-docs' } })

    // An adopted SSH host is backed up but never stopped or started by Cairn.
    expect(labels(entry(model.items, 'home').submenu ?? [])).toEqual([
      'Back up now',
      '---',
      'Show in Cairn',
    ])
    expect(entry(model.items, 'Back up all running').enabled).toBe(true)
  })

  it('shows working while a job runs, names it, and disables the busy workspace actions', () => {
    const model = trayModel(
      stateOf([workspace({ name: 'web' })], jobUpdated({ state: 'running', finishedAt: null })),
      T0,
    )
    expect(model.icon).toBe('working')
    const web = entry(model.items, 'web')
    expect(web.label).toBe('web — backing up')
    expect(labels(web.submenu ?? [])).toEqual([
      'Back up now (off)',
      'Stop (off)',
      '---',
      'Show in Cairn',
    ])
    expect(entry(model.items, 'Back up all running').enabled).toBe(false)
    expect(model.tooltip).toBe('Cairn — 1 of 1 running, 1 job working')
  })

  it('shows working for starting and stopping workspaces', () => {
    expect(trayModel(stateOf([workspace({ state: 'starting' })]), T0).icon).toBe('working')
    const stopping = trayModel(stateOf([workspace({ state: 'stopping' })]), T0)
    expect(stopping.icon).toBe('working')
    expect(labels(entry(stopping.items, 'web').submenu ?? [])).toEqual([
      'Stop (off)',
      '---',
      'Show in Cairn',
    ])
  })

  it('goes back to idle when the job finished', () => {
    const state = stateOf([workspace()], jobUpdated({ state: 'running' }), jobUpdated({}))
    expect(trayModel(state, T0).icon).toBe('idle')
  })

  it('shows a failed last job as a problem until a newer job succeeds', () => {
    const failed = stateOf(
      [workspace()],
      jobUpdated({ state: 'failed', error: { code: 'unreachable', message: 'down' } }),
    )
    const model = trayModel(failed, T0)
    expect(model.icon).toBe('problem')
    expect(labels(model.items).slice(0, 2)).toEqual(['⚠ Back up web failed', '---'])
    expect(model.items[0]).toMatchObject({ action: { kind: 'open', workspaceId: 'ws-web' } })
    expect(model.tooltip).toContain('1 problem')

    // An older finished job arriving later (jobs.list after an event) does not hide the failure.
    const older = applyTrayEvent(
      failed,
      jobUpdated({ id: 'old', finishedAt: new Date(T0 - 60_000).toISOString() }),
    )
    expect(trayModel(older, T0).icon).toBe('problem')

    const fixed = applyTrayEvent(
      failed,
      jobUpdated({ id: 'new', finishedAt: new Date(T0 + 60_000).toISOString() }),
    )
    expect(trayModel(fixed, T0).icon).toBe('idle')
  })

  it('shows the keychain, workspace errors, orphans and reconcile problems', () => {
    let state = applyTrayEvent(emptyTrayState(), {
      event: 'workspaces.reconciled',
      payload: list(
        [workspace({ name: 'web', state: 'error' }), workspace({ name: 'api', state: 'missing' })],
        {
          orphans: [orphan()],
          reconcileProblem: 'Hetzner did not answer; the list may be old.',
        },
      ),
    })
    state = applyTrayEvent(state, {
      event: 'keychain.status',
      payload: { available: false, backend: 'Secret Service' },
    })
    const model = trayModel(state, T0)
    expect(model.icon).toBe('problem')
    expect(labels(model.items).slice(0, 5)).toEqual([
      '⚠ The keychain is not available',
      '⚠ web: needs attention',
      '⚠ api: server missing',
      '⚠ 2 more problems…',
      '---',
    ])
    expect(labels(model.items)).toContain('cairn-old — orphan server')
  })

  it('offers to pause auto-stop, then to resume it with the time left', () => {
    const state = stateOf([workspace()])
    expect(entry(trayModel(state, T0).items, 'Pause auto-stop')).toMatchObject({
      action: { kind: 'pause-idle', minutes: 60 },
    })
    const paused = applyTrayEvent(state, {
      event: 'idle.state',
      payload: idle({
        state: 'disabled',
        disabledReason: 'paused',
        pausedUntil: new Date(T0 + 45 * 60_000).toISOString(),
      }),
    })
    const model = trayModel(paused, T0)
    expect(entry(model.items, 'Resume auto-stop')).toMatchObject({
      label: 'Resume auto-stop (paused, 45 min left)',
      action: { kind: 'resume-idle' },
    })
    expect(model.tooltip).toContain('auto-stop paused')
    // Once the pause ran out, Pause is offered again even before the next idle.state.
    expect(labels(trayModel(paused, T0 + 46 * 60_000).items)).toContain(
      'Pause auto-stop for 1 hour',
    )
    expect(labels(trayModel(withPause(paused, null), T0).items)).toContain(
      'Pause auto-stop for 1 hour',
    )
  })

  it('follows workspaces.changed: added, changed in place, removed', () => {
    let state = stateOf([workspace({ name: 'web' }), workspace({ name: 'api' })])
    state = applyTrayEvent(state, {
      event: 'workspaces.changed',
      payload: { id: 'ws-web', workspace: workspace({ name: 'web', state: 'stopped' }) },
    })
    state = applyTrayEvent(state, {
      event: 'workspaces.changed',
      payload: { id: 'ws-new', workspace: workspace({ name: 'new' }) },
    })
    state = applyTrayEvent(state, {
      event: 'workspaces.changed',
      payload: { id: 'ws-api', workspace: null },
    })
    expect(labels(trayModel(state, T0).items).slice(0, 2)).toEqual([
      'web — stopped',
      'new — running',
    ])
  })
})

describe('tray actions', () => {
  it('maps workspace actions to their contract calls', () => {
    const state = stateOf([])
    expect(trayActionCalls({ kind: 'backup', workspaceId: 'w' }, state)).toEqual([
      { method: 'workspaces.backup', input: { id: 'w' } },
    ])
    expect(trayActionCalls({ kind: 'stop', workspaceId: 'w' }, state)).toEqual([
      { method: 'workspaces.stop', input: { id: 'w' } },
    ])
    expect(trayActionCalls({ kind: 'start', workspaceId: 'w' }, state)).toEqual([
      { method: 'workspaces.start', input: { id: 'w' } },
    ])
    expect(trayActionCalls({ kind: 'pause-idle', minutes: 60 }, state)).toEqual([
      { method: 'idle.pause', input: { minutes: 60 } },
    ])
    expect(trayActionCalls({ kind: 'resume-idle' }, state)).toEqual([
      { method: 'idle.resume', input: {} },
    ])
    expect(trayActionCalls({ kind: 'open', workspaceId: null }, state)).toEqual([])
    expect(trayActionCalls({ kind: 'quit' }, state)).toEqual([])
  })

  it('backs up every running workspace that is not busy', () => {
    const state = stateOf(
      [
        workspace({ name: 'web' }),
        workspace({ name: 'api' }),
        workspace({ name: 'docs', state: 'stopped' }),
      ],
      jobUpdated({ state: 'running', workspaceId: 'ws-api' }),
    )
    expect(trayActionCalls({ kind: 'backup-all' }, state)).toEqual([
      { method: 'workspaces.backup', input: { id: 'ws-web' } },
    ])
  })
})
