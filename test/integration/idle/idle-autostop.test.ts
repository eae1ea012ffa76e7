import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events as contractEvents, type EventName } from '../../../src/shared/contract'
import { ManualClock } from '../../../src/main/core/idle/clock'
import { IdleMonitor } from '../../../src/main/core/idle/idle-monitor'
import { SshIdleProbe } from '../../../src/main/core/idle/ssh-idle-probe'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { FAKE_AGENT, sh } from './idle-vm'

/*
 * The whole loop on a real VM: the IdleMonitor probes over SSH, the VM's evidence decides.
 * Time passes without waiting: the desktop's clock is a manual one and the probe adds the same
 * amount to the VM clock it reads (the evidence keeps its real timestamps, so it looks older).
 */

const MIN = 60_000
let vm: TestVm
let user: SshConnection

beforeAll(async () => {
  vm = await createTestVm('idle-autostop')
  user = await vm.connect('dev')
})

afterAll(async () => {
  await user?.close()
  await vm?.destroy()
})

function setup(timeoutMinutes: number) {
  const clock = new ManualClock(Date.now())
  const probe = new SshIdleProbe({ connect: () => vm.connect('dev'), keptPaths: ['/home/dev'] })
  const emitted: Array<{ event: EventName; payload: Record<string, unknown> }> = []
  const stops: string[] = []
  const monitor = new IdleMonitor({
    clock,
    events: {
      emit(event, payload) {
        contractEvents[event].payload.parse(payload)
        emitted.push({ event, payload: payload as Record<string, unknown> })
      },
    },
    stopWorkspace: async (id) => {
      stops.push(id)
    },
  })
  let elapsed = 0
  /** Lets `ms` pass on the desktop and on the VM, then checks. */
  const pass = async (ms: number) => {
    elapsed += ms
    probe.setClockOffset(elapsed)
    clock.sleepUntil(clock.now() + ms)
    return monitor.checkNow('ws')
  }
  monitor.watch('ws', { probe, timeoutMinutes, startedAt: clock.now() })
  return {
    clock,
    probe,
    monitor,
    emitted,
    stops,
    pass,
    of: (e: EventName) => emitted.filter((x) => x.event === e),
  }
}

describe('idle auto-stop on a real VM', () => {
  it('(d) nothing happens: idle, warned 5 minutes ahead, postponed, then stopped', async () => {
    const t = setup(10)
    try {
      expect(await t.monitor.checkNow('ws')).toMatchObject({ state: 'active' })
      expect((await t.pass(2.5 * MIN)).state).toBe('idle')
      const warned = await t.pass(2.5 * MIN)
      expect(warned).toMatchObject({ state: 'warn', cpuKnown: true })
      const [warning] = t.of('idle.warning')
      expect(warning?.payload.workspaceId).toBe('ws')
      // About 5 minutes ahead of the stop (the idle clock started when the workspace did).
      const ahead = Date.parse(String(warning?.payload.stopAt)) - t.clock.now()
      expect(ahead).toBeGreaterThan(4.5 * MIN)
      expect(ahead).toBeLessThanOrEqual(5 * MIN)

      const postponed = t.monitor.postpone('ws', 10)
      expect(postponed.state).toBe('idle')
      expect(Date.parse(postponed.stopAt ?? '')).toBe(t.clock.now() + 10 * MIN)
      expect((await t.pass(2.5 * MIN)).state).toBe('idle')
      expect((await t.pass(2.5 * MIN)).state).toBe('warn')
      const warnings = t.of('idle.warning').map((w) => Date.parse(String(w.payload.stopAt)))
      expect(warnings).toHaveLength(2)
      // The VM clock runs on while the desktop's stands still: allow for the real seconds.
      expect(Math.abs((warnings[1] ?? 0) - Date.parse(postponed.stopAt ?? ''))).toBeLessThan(10_000)
      await t.pass(2.5 * MIN)
      expect(t.stops).toEqual([])
      await t.pass(2.5 * MIN)
      expect(t.stops).toEqual(['ws'])
      expect(t.of('idle.stop')[0]?.payload).toMatchObject({ workspaceId: 'ws' })
    } finally {
      await t.monitor.dispose()
    }
  })

  it('an agent at work keeps it active; once the agent is gone it stops', async () => {
    await sh(
      user,
      `mkdir -p ~/bin && cat > ~/bin/claude <<'EOF'\n${FAKE_AGENT}EOF\nchmod +x ~/bin/claude`,
    )
    const t = setup(2)
    try {
      await t.monitor.checkNow('ws')
      await sh(user, 'nohup ~/bin/claude 600 600 >/dev/null 2>&1 &')
      // Probes in quick succession (VM time runs for real here): each sees the agent work.
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 400))
        const state = await t.monitor.checkNow('ws')
        expect(state.state).toBe('active')
        const agent = state.signals.find((s) => s.kind === 'agent')
        expect(agent?.detail).toMatch(/^claude (working|started)|agent transcript/)
        expect(Math.abs(Date.parse(agent?.at ?? '') - t.clock.now())).toBeLessThan(5_000)
        expect(state.agents.map((a) => a.name)).toEqual(['claude'])
      }
      await sh(user, 'pkill -x claude || true')
      const seen = await t.pass(2.5 * MIN)
      expect(seen).toMatchObject({ state: 'active', lastActivity: { detail: 'claude exited' } })
      expect((await t.pass(2.5 * MIN)).state).toBe('warn')
      expect(t.stops).toEqual([])
      await t.pass(2.5 * MIN)
      expect(t.stops).toEqual(['ws'])
    } finally {
      await t.monitor.dispose()
    }
  })
})
