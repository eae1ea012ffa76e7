import { describe, expect, it } from 'vitest'
import {
  COALESCE_WINDOW_MS,
  KEEP_RUNNING_MINUTES,
  initialPolicyState,
  notificationPolicy,
  type DesktopNotification,
  type PolicyInput,
  type PolicyState,
} from '../../../src/shared/desktop/notification-policy'
import type { NotificationLevel } from '../../../src/shared/domain/settings'
import { T0, idle, job, list, workspace } from './fixtures'

/** Feeds inputs one after another (each at its own time) and collects what would be shown. */
function run(
  inputs: { input: PolicyInput; at?: number }[],
  level: NotificationLevel = 'all',
  start: PolicyState = initialPolicyState(),
) {
  let state = start
  const shown: DesktopNotification[] = []
  const dismissed: string[] = []
  for (const { input, at } of inputs) {
    const result = notificationPolicy(state, input, level, at ?? T0)
    state = result.state
    shown.push(...result.show)
    dismissed.push(...result.dismiss)
  }
  return { state, shown, dismissed }
}

const known: { input: PolicyInput } = {
  input: {
    event: 'workspaces.reconciled',
    payload: list([
      workspace({ name: 'web' }),
      workspace({ name: 'api', cost: { runningEur: 1, monthlyEur: 30, hourlyEur: 0.05 } }),
    ]),
  },
}
const jobEvent = (overrides: Parameters<typeof job>[0], at?: number) => ({
  input: { event: 'job.updated', payload: job(overrides) } as PolicyInput,
  at,
})

describe('notification policy: jobs', () => {
  it('tells when a backup finished, with files and bytes', () => {
    const { shown } = run([known, jobEvent({})])
    expect(shown).toEqual([
      {
        id: expect.stringMatching(/^backup:succeeded:/),
        severity: 'info',
        title: 'Backup finished',
        body: 'Back up web: 120 files, 3.4 MB.',
        workspaceId: 'ws-web',
        actions: [],
      },
    ])
  })

  it('says nothing about queued, running or cancelled jobs', () => {
    const { shown } = run([
      jobEvent({ state: 'queued' }),
      jobEvent({ state: 'running' }),
      jobEvent({ state: 'cancelled' }),
    ])
    expect(shown).toEqual([])
  })

  it('tells about a finished job once, even when its final state is published again', () => {
    const { shown } = run([jobEvent({}), jobEvent({}, T0 + 60_000)])
    expect(shown).toHaveLength(1)
  })

  it('tells when a backup failed, with the reason', () => {
    const { shown } = run([
      known,
      jobEvent({
        state: 'failed',
        error: { code: 'unreachable', message: 'The server did not answer.' },
      }),
    ])
    expect(shown).toMatchObject([
      {
        severity: 'error',
        title: 'Backup failed',
        body: 'Back up web: The server did not answer.',
        workspaceId: 'ws-web',
      },
    ])
  })

  it('says a failed stop leaves the server running', () => {
    const { shown } = run([
      jobEvent({
        kind: 'stop',
        title: 'Stop web',
        state: 'failed',
        error: { code: 'storage_failed', message: 'The storage refused the upload.' },
      }),
    ])
    expect(shown[0]?.title).toBe('Stop failed')
    expect(shown[0]?.body).toContain('The server keeps running.')
  })

  it('does not say it twice when the core already says the server still runs', () => {
    const message = 'Hetzner did not delete it; the server still runs and is billed.'
    const { shown } = run([
      jobEvent({ kind: 'stop', state: 'failed', error: { code: 'remote_error', message } }),
    ])
    expect(shown[0]?.body).toBe(`Back up web: ${message}`)
  })

  it('says how much a stopped workspace saves per day (hourly price x 24)', () => {
    const { shown } = run([
      known,
      // The stopped workspace has no cost any more: the price it had while running is kept.
      {
        input: {
          event: 'workspaces.changed',
          payload: {
            id: 'ws-api',
            workspace: workspace({ name: 'api', state: 'stopped', cost: null }),
          },
        },
      },
      jobEvent({ id: 'stop-1', kind: 'stop', title: 'Stop api', workspaceId: 'ws-api' }),
    ])
    expect(shown).toMatchObject([{ severity: 'info', title: 'api stopped', workspaceId: 'ws-api' }])
    expect(shown[0]?.body).toContain('Saves €1.20 a day.')
  })

  it('leaves the saving out when the price was never known', () => {
    const { shown } = run([jobEvent({ kind: 'stop', title: 'Stop web' })])
    expect(shown[0]?.title).toBe('A workspace stopped')
    expect(shown[0]?.body).not.toContain('Saves')
  })

  it('tells when a restore finished and when a workspace is running again', () => {
    const { shown } = run([
      known,
      jobEvent({ id: 'r', kind: 'restore', title: 'Restore web', filesDone: 1, bytesDone: 10 }),
      jobEvent({ id: 's', kind: 'start', title: 'Start web' }),
    ])
    expect(shown.map((n) => [n.title, n.body])).toEqual([
      ['Restore finished', 'Restore web: 1 file, 10 B.'],
      ['web is running', 'Start web'],
    ])
  })

  it('stays quiet about routine successes (prune, delete) and storage tests', () => {
    const { shown } = run([
      jobEvent({ id: 'a', kind: 'prune' }),
      jobEvent({ id: 'b', kind: 'delete' }),
      jobEvent({
        id: 'c',
        kind: 'storage-test',
        state: 'failed',
        error: { code: 'unreachable', message: 'x' },
      }),
    ])
    expect(shown).toEqual([])
  })

  it('reports a failed prune or check, which run on schedules', () => {
    const { shown } = run([
      jobEvent({
        id: 'a',
        kind: 'prune',
        state: 'failed',
        error: { code: 'conflict', message: 'busy' },
      }),
      jobEvent({
        id: 'b',
        kind: 'check',
        state: 'failed',
        error: { code: 'internal', message: 'damage' },
      }),
    ])
    expect(shown.map((n) => n.title)).toEqual(['Prune failed', 'Repository check failed'])
  })
})

describe('notification policy: keychain and keys', () => {
  it('tells once that the keychain is unavailable, and again after it came back and went', () => {
    const down = {
      input: {
        event: 'keychain.status',
        payload: { available: false, backend: 'Secret Service', message: 'Start gnome-keyring.' },
      } as PolicyInput,
    }
    const up = {
      input: {
        event: 'keychain.status',
        payload: { available: true, backend: 'Secret Service' },
      } as PolicyInput,
    }
    const { shown } = run([down, down, up, down])
    expect(shown).toHaveLength(2)
    expect(shown[0]).toMatchObject({
      id: 'keychain',
      severity: 'error',
      body: 'Start gnome-keyring.',
    })
  })

  it('turns a job that failed on the keychain into the keychain notification', () => {
    const { shown } = run([
      jobEvent({
        state: 'failed',
        error: { code: 'keychain_unavailable', message: 'No Secret Service.' },
      }),
    ])
    expect(shown).toMatchObject([{ id: 'keychain', title: 'The keychain is not available' }])
  })

  it('names a master key problem as a key problem', () => {
    const { shown } = run([
      jobEvent({
        state: 'failed',
        error: {
          code: 'not_configured',
          message: 'There is no master key in the keychain yet. Import your recovery key.',
        },
      }),
    ])
    expect(shown).toMatchObject([{ severity: 'error', title: 'A key problem stopped a job' }])
  })
})

describe('notification policy: idle auto-stop', () => {
  const warning = (at = T0): { input: PolicyInput; at: number } => ({
    input: {
      event: 'idle.warning',
      payload: {
        workspaceId: 'ws-web',
        stopAt: new Date(at + 5 * 60_000).toISOString(),
        reason: 'No terminal input, editor or agent for 25 minutes.',
        lastActivity: null,
      },
    },
    at,
  })

  it('warns before an auto-stop, with a Keep running action', () => {
    const { shown } = run([known, warning()])
    expect(shown).toEqual([
      {
        id: 'idle-warning:ws-web',
        severity: 'warning',
        title: 'web stops in 5 minutes',
        body: 'No terminal input, editor or agent for 25 minutes. Cairn will back it up and delete the server.',
        workspaceId: 'ws-web',
        actions: [
          {
            label: 'Keep running',
            action: { kind: 'postpone-idle', workspaceId: 'ws-web', minutes: KEEP_RUNNING_MINUTES },
          },
        ],
      },
    ])
  })

  it('takes the warning away once the workspace is busy again or postponed', () => {
    const { dismissed, state } = run([
      warning(),
      { input: { event: 'idle.state', payload: idle({ state: 'warn' }) } },
      { input: { event: 'idle.state', payload: idle({ state: 'active' }) } },
      { input: { event: 'idle.state', payload: idle({ state: 'active' }) } },
    ])
    expect(dismissed).toEqual(['idle-warning:ws-web'])
    expect(state.warned).toEqual([])
  })

  it('shows warnings at the problems level', () => {
    expect(run([warning()], 'problems').shown).toHaveLength(1)
  })
})

describe('notification policy: levels', () => {
  const failed = jobEvent({
    id: 'f',
    state: 'failed',
    error: { code: 'unreachable', message: 'x' },
  })
  const ok = jobEvent({ id: 'o' })

  it("'problems' shows failures but not successes", () => {
    expect(run([ok, failed], 'problems').shown.map((n) => n.severity)).toEqual(['error'])
  })

  it("'off' shows nothing but still learns names and prices", () => {
    const { shown, state } = run([known, ok, failed], 'off')
    expect(shown).toEqual([])
    expect(state.workspaces['ws-api']).toEqual({ name: 'api', hourlyEur: 0.05 })
  })

  it('does not count a hidden event into a later burst', () => {
    const hidden = run([ok], 'problems')
    const { shown } = run([jobEvent({ id: 'o2' }, T0 + 1000)], 'all', hidden.state)
    expect(shown[0]?.title).toBe('Backup finished')
  })
})

describe('notification policy: coalescing', () => {
  it('turns five backups finishing within seconds into one "5 backups finished"', () => {
    const names = ['web', 'api', 'db', 'docs', 'ml']
    const inputs = [
      {
        input: {
          event: 'workspaces.reconciled',
          payload: list(names.map((name) => workspace({ name }))),
        } as PolicyInput,
      },
      ...names.map((name, i) =>
        jobEvent(
          { id: `b${i}`, workspaceId: `ws-${name}`, title: `Back up ${name}` },
          T0 + i * 1500,
        ),
      ),
    ]
    const { shown } = run(inputs)
    expect(new Set(shown.map((n) => n.id)).size).toBe(1)
    const last = shown.at(-1)
    expect(last).toMatchObject({
      title: '5 backups finished',
      body: 'web, api, db and 2 more.',
      workspaceId: null,
    })
  })

  it('starts a new notification once the window has passed', () => {
    const { shown } = run([
      jobEvent({ id: 'a' }, T0),
      jobEvent({ id: 'b' }, T0 + COALESCE_WINDOW_MS + 1),
    ])
    expect(shown.map((n) => n.title)).toEqual(['Backup finished', 'Backup finished'])
    expect(shown[0]?.id).not.toBe(shown[1]?.id)
  })

  it('keeps successes and failures apart', () => {
    const { shown } = run([
      jobEvent({ id: 'a' }),
      jobEvent({ id: 'b', state: 'failed', error: { code: 'unreachable', message: 'x' } }),
      jobEvent({ id: 'c' }),
    ])
    expect(shown.map((n) => n.title)).toEqual([
      'Backup finished',
      'Backup failed',
      '2 backups finished',
    ])
  })

  it('adds up what several stopped workspaces save per day', () => {
    const { shown } = run([
      known,
      jobEvent({ id: 'a', kind: 'stop', workspaceId: 'ws-web' }),
      jobEvent({ id: 'b', kind: 'stop', workspaceId: 'ws-api' }, T0 + 2000),
    ])
    expect(shown.at(-1)).toMatchObject({
      title: '2 workspaces stopped',
      body: 'web, api. Saves €1.36 a day in all.',
    })
  })

  it('does not change the state it was given', () => {
    const start = initialPolicyState()
    const frozen = JSON.stringify(start)
    run([known, jobEvent({})], 'all', start)
    expect(JSON.stringify(start)).toBe(frozen)
  })
})
