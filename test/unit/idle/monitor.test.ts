import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { events as contractEvents, type EventName } from '../../../src/shared/contract'
import { CairnError } from '../../../src/shared/errors'
import { dispatch } from '../../../src/main/core/api/dispatch'
import type { Handlers } from '../../../src/main/core/api/dispatch'
import { ManualClock } from '../../../src/main/core/idle/clock'
import { idleHandlers } from '../../../src/main/core/idle/idle-handlers'
import { IdleMonitor } from '../../../src/main/core/idle/idle-monitor'
import type { IdleProbe } from '../../../src/main/core/idle/idle-probe'
import {
  IdleSettingsStore,
  workspacesToStopOnQuit,
} from '../../../src/main/core/idle/idle-settings'
import { SimVm } from './sim-vm'

const MIN = 60_000
const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r))
}

interface Emitted {
  at: number
  event: EventName
  payload: Record<string, unknown>
}

function harness(options: { skewMs?: number; timeoutMinutes?: number | null } = {}) {
  const clock = new ManualClock(0)
  const skew = options.skewMs ?? 0
  const vm = new SimVm(skew - 60 * MIN)
  const emitted: Emitted[] = []
  const stops: number[] = []
  let failing = false
  let stopResult: () => Promise<void> = async () => {}
  const probe: IdleProbe & { runs: number } = {
    runs: 0,
    run: async (lookback) => {
      probe.runs++
      if (failing) throw new CairnError('unreachable', 'Cairn could not connect to ws over SSH.')
      return vm.sample(clock.now() + skew, lookback)
    },
    close: async () => {},
  }
  const monitor = new IdleMonitor({
    clock,
    events: {
      emit(event, payload) {
        // Every payload must pass the contract's strict schema.
        contractEvents[event].payload.parse(payload)
        emitted.push({ at: clock.now(), event, payload: payload as Record<string, unknown> })
      },
    },
    stopWorkspace: async (id) => {
      expect(id).toBe('ws')
      stops.push(clock.now())
      return stopResult()
    },
  })
  const advance = async (ms: number) => {
    const target = clock.now() + ms
    for (;;) {
      const next = clock.nextTimerAt()
      if (next === null || next > target) break
      clock.advanceTo(next)
      await flush()
    }
    clock.advanceTo(target)
    await flush()
  }
  return {
    clock,
    vm,
    monitor,
    emitted,
    stops,
    probe,
    advance,
    watch: async () => {
      monitor.watch('ws', {
        probe,
        timeoutMinutes: options.timeoutMinutes === undefined ? 30 : options.timeoutMinutes,
        startedAt: 0,
      })
      await advance(0)
    },
    fail: (value: boolean) => (failing = value),
    stopWith: (fn: () => Promise<void>) => (stopResult = fn),
    of: (event: EventName) => emitted.filter((e) => e.event === event),
  }
}

describe('IdleMonitor', () => {
  it('probes every minute, warns 5 minutes ahead, takes a postponement, then asks to stop', async () => {
    const h = harness({ skewMs: 7 * MIN + 1000 })
    h.vm.add({ kind: 'typing', at: h.clock.now() + 7 * MIN + 1000 + 2 * MIN })
    await h.watch()
    expect(h.monitor.state('ws').state).toBe('active')
    await h.advance(26 * MIN)
    // Typing at 2:00 (read as 2:08 at most): the warning comes at 27:08 for 32:08.
    expect(h.of('idle.warning')).toHaveLength(0)
    await h.advance(2 * MIN)
    const [warning] = h.of('idle.warning')
    expect(warning?.at).toBe(27 * MIN + 8_000)
    expect(warning?.payload).toMatchObject({
      workspaceId: 'ws',
      stopAt: new Date(32 * MIN + 8_000).toISOString(),
      reason: 'No activity for 25 minutes; the last was: input on /dev/pts/1 (bash).',
      lastActivity: { kind: 'terminal', detail: 'input on /dev/pts/1 (bash)' },
    })
    expect(h.monitor.state('ws')).toMatchObject({ state: 'warn', cpuKnown: true, probeError: null })

    // The user postpones by 20 minutes: no stop, a new warning 5 minutes before the new time.
    const postponed = h.monitor.postpone('ws', 20)
    expect(postponed).toMatchObject({
      state: 'idle',
      stopAt: new Date(48 * MIN).toISOString(),
      postponedUntil: new Date(48 * MIN).toISOString(),
    })
    await h.advance(14 * MIN)
    expect(h.stops).toEqual([])
    expect(h.of('idle.warning')).toHaveLength(1)
    await h.advance(2 * MIN)
    expect(h.of('idle.warning').map((w) => w.payload.stopAt)).toEqual([
      new Date(32 * MIN + 8_000).toISOString(),
      new Date(48 * MIN).toISOString(),
    ])
    await h.advance(5 * MIN)
    expect(h.stops).toEqual([48 * MIN])
    expect(h.of('idle.stop')[0]?.payload).toMatchObject({
      workspaceId: 'ws',
      idleSince: new Date(2 * MIN + 8_000).toISOString(),
    })
    expect(h.monitor.isWatching('ws')).toBe(false)
    // It probed about once a minute, plus exact probes at the warning and stop times.
    expect(h.probe.runs).toBeGreaterThan(45)
    expect(h.probe.runs).toBeLessThan(55)
  })

  it('never stops on failed probes; warns anew with notice once the VM answers again', async () => {
    const h = harness()
    await h.watch()
    await h.advance(20 * MIN)
    h.fail(true)
    await h.advance(40 * MIN)
    expect(h.stops).toEqual([])
    const state = h.monitor.state('ws')
    expect(state.probeError).toMatchObject({
      message: 'Cairn could not connect to ws over SSH.',
      since: new Date(21 * MIN).toISOString(),
    })
    expect(state.probeError?.failures).toBeGreaterThanOrEqual(40)
    expect(state.checkedAt).toBe(new Date(20 * MIN).toISOString())
    h.fail(false)
    await h.advance(MIN)
    expect(h.monitor.state('ws')).toMatchObject({ state: 'warn', probeError: null })
    const last = h.of('idle.warning').at(-1)
    expect(last?.at).toBe(61 * MIN)
    expect(last?.payload.stopAt).toBe(new Date(63 * MIN).toISOString())
    await h.advance(3 * MIN)
    expect(h.stops).toEqual([63 * MIN])
  })

  it('tries a failed stop again only after a new warning, 10 minutes later', async () => {
    const h = harness({ timeoutMinutes: 10 })
    h.stopWith(async () => {
      throw new CairnError('storage_failed', 'The backup could not be written.')
    })
    await h.watch()
    await h.advance(11 * MIN)
    expect(h.stops).toEqual([10 * MIN])
    expect(h.monitor.state('ws')).toMatchObject({
      state: 'idle',
      probeError: null,
      stopError: {
        message: 'The backup could not be written.',
        at: new Date(10 * MIN).toISOString(),
      },
    })
    h.stopWith(async () => {})
    await h.advance(8.5 * MIN)
    expect(h.stops).toHaveLength(1)
    await h.advance(MIN)
    expect(h.stops).toEqual([10 * MIN, 20 * MIN])
    expect(h.of('idle.warning').map((w) => w.at)).toEqual([5 * MIN, 15 * MIN])
  })

  it('pauses auto-stop for everyone, then warns with notice', async () => {
    const h = harness()
    await h.watch()
    await h.advance(10 * MIN)
    expect(h.monitor.pause(60)).toBe(70 * MIN)
    expect(h.monitor.state('ws')).toMatchObject({
      state: 'disabled',
      disabledReason: 'paused',
      pausedUntil: new Date(70 * MIN).toISOString(),
    })
    await h.advance(59 * MIN)
    expect(h.of('idle.warning')).toHaveLength(0)
    expect(h.stops).toEqual([])
    await h.advance(2 * MIN)
    expect(h.of('idle.warning')[0]?.payload.stopAt).toBe(new Date(72 * MIN).toISOString())
    await h.advance(2 * MIN)
    expect(h.stops).toEqual([72 * MIN])
  })

  it('resuming early re-decides at once', async () => {
    const h = harness()
    await h.watch()
    await h.advance(10 * MIN)
    h.monitor.pause(60)
    await h.advance(30 * MIN)
    h.monitor.resume()
    expect(h.monitor.state('ws')).toMatchObject({ state: 'warn', pausedUntil: null })
    expect(h.of('idle.warning').at(-1)?.payload.stopAt).toBe(new Date(42 * MIN).toISOString())
  })

  it('with auto-stop off it watches and reports but never warns or stops; it can be turned on', async () => {
    const h = harness({ timeoutMinutes: null })
    await h.watch()
    await h.advance(5 * 60 * MIN)
    expect(h.monitor.state('ws')).toMatchObject({ state: 'disabled', disabledReason: 'off' })
    expect(h.of('idle.warning')).toHaveLength(0)
    expect(h.stops).toEqual([])
    expect(h.monitor.setTimeoutMinutes('ws', 30)).toMatchObject({ state: 'warn' })
    await h.advance(3 * MIN)
    expect(h.stops).toEqual([302 * MIN])
  })

  it('keeps a workspace with a working agent, and reports what it sees', async () => {
    const h = harness()
    h.vm.add({ kind: 'agent', start: 0, end: 3 * 60 * MIN, tty: true })
    await h.watch()
    await h.advance(3 * 60 * MIN)
    expect(h.stops).toEqual([])
    expect(h.of('idle.warning')).toHaveLength(0)
    const state = h.monitor.state('ws')
    expect(state).toMatchObject({ state: 'active', cpuKnown: true, vscodeWindows: 0 })
    expect(state.agents).toEqual([
      { name: 'claude', pid: expect.any(Number), startedAt: new Date(0).toISOString(), cpu: 0.3 },
    ])
    expect(state.signals.map((s) => s.kind).sort()).toEqual(['agent', 'cpu', 'start', 'terminal'])
  })

  it('forgets a workspace it was told to stop watching, and refuses unknown ones', async () => {
    const h = harness()
    await h.watch()
    await h.monitor.unwatch('ws')
    expect(h.monitor.states()).toEqual([])
    expect(h.clock.pendingTimers()).toBe(0)
    expect(() => h.monitor.postpone('ws', 5)).toThrow(/not watching/)
  })
})

describe('idle API handlers and settings', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-idle-settings-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('serves status, postpone, pause and resume through the contract', async () => {
    const h = harness()
    await h.watch()
    const handlers = idleHandlers(h.monitor, new IdleSettingsStore(dir)) as unknown as Handlers
    const call = (method: string, input: unknown) =>
      dispatch(handlers, method, input, { host: 'headless' })
    const status = await call('idle.status', {})
    expect(status).toMatchObject({ ok: true, output: [{ workspaceId: 'ws', state: 'active' }] })
    expect(await call('idle.postpone', { workspaceId: 'ws', minutes: 45 })).toMatchObject({
      ok: true,
      output: { postponedUntil: new Date(45 * MIN).toISOString() },
    })
    expect(await call('idle.postpone', { workspaceId: 'other', minutes: 5 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(await call('idle.postpone', { workspaceId: 'ws', minutes: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
    expect(await call('idle.pause', {})).toEqual({
      ok: true,
      output: { pausedUntil: new Date(60 * MIN).toISOString() },
    })
    expect(await call('idle.resume', {})).toEqual({ ok: true, output: { pausedUntil: null } })
  })

  it('keeps "stop every workspace when Cairn quits" in its own file', async () => {
    const store = new IdleSettingsStore(dir)
    expect(await store.get()).toEqual({ stopAllOnQuit: false })
    expect(await store.update({ stopAllOnQuit: true })).toEqual({ stopAllOnQuit: true })
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({
      schemaVersion: 1,
      stopAllOnQuit: true,
    })
    expect(await new IdleSettingsStore(dir).get()).toEqual({ stopAllOnQuit: true })
    await writeFile(store.path, '{"schemaVersion": 9}')
    await expect(new IdleSettingsStore(dir).get()).rejects.toMatchObject({ code: 'conflict' })
    await writeFile(store.path, 'not json')
    await expect(new IdleSettingsStore(dir).get()).rejects.toMatchObject({ code: 'internal' })
  })

  it('picks the workspaces to stop when Cairn quits', () => {
    const running = [
      { id: 'a', running: true, stoppable: true },
      { id: 'b', running: false, stoppable: true },
      { id: 'c', running: true, stoppable: false },
    ]
    expect(workspacesToStopOnQuit({ stopAllOnQuit: false }, running)).toEqual([])
    expect(workspacesToStopOnQuit({ stopAllOnQuit: true }, running)).toEqual(['a'])
  })
})

describe('the idle API in the core', () => {
  it('is wired into createCore: status, pause and settings work before any workspace runs', async () => {
    const { createCore } = await import('../../../src/main/core/app')
    const { MemorySecretStore } = await import('../../../src/main/core/secrets/memory-secret-store')
    const dir = await mkdtemp(join(tmpdir(), 'cairn-idle-core-'))
    const core = await createCore({
      dataDir: dir,
      host: 'headless',
      version: '0.0.0',
      secrets: new MemorySecretStore(),
    })
    try {
      const call = (method: string, input: unknown) =>
        dispatch(core.handlers, method, input, { host: 'headless' })
      expect(await call('idle.status', {})).toEqual({ ok: true, output: [] })
      expect(await call('idle.settings', {})).toEqual({
        ok: true,
        output: { stopAllOnQuit: false },
      })
      expect(await call('idle.setStopAllOnQuit', { enabled: true })).toEqual({
        ok: true,
        output: { stopAllOnQuit: true },
      })
      const paused = await call('idle.pause', { minutes: 30 })
      expect(paused).toMatchObject({ ok: true, output: { pausedUntil: expect.any(String) } })
      expect(core.idle.pausedUntilTime()).toBeGreaterThan(Date.now() + 29 * MIN)
    } finally {
      await core.dispose()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
