import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  emptyTracker,
  track,
  type OwnClient,
  type TrackerState,
} from '../../../src/main/core/idle/evidence'
import { SshIdleProbe, ownClientOf } from '../../../src/main/core/idle/ssh-idle-probe'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { FAKE_AGENT, openUserSession, sh, type UserSession } from './idle-vm'

/*
 * Each signal, seen by the real probe over SSH on a fake VM of the local cloud (a real sshd with
 * its own pid namespace, /home and /tmp). Timestamps come from the VM; the tests look at the
 * evidence itself, the policy is covered by the unit tests and idle-autostop.test.ts.
 */

let vm: TestVm
let probe: SshIdleProbe
/** The user's own command connection (not Cairn's): what it starts is the user's work. */
let user: SshConnection
let tracker: TrackerState = emptyTracker

async function observe(ownClients: OwnClient[] = []) {
  const sample = await probe.run(600)
  const result = track(tracker, { sample, ownClients })
  tracker = result.state
  return { sample, ...result }
}

beforeAll(async () => {
  vm = await createTestVm('idle-signals')
  probe = new SshIdleProbe({ connect: () => vm.connect('dev'), keptPaths: ['/home/dev'] })
  user = await vm.connect('dev')
  await sh(user, 'mkdir -p ~/project ~/bin')
})

afterAll(async () => {
  await probe?.close()
  await user?.close()
  await vm?.destroy()
})

describe('idle signals on a real VM over SSH', () => {
  it('probes quickly and reads the VM clock', async () => {
    const started = Date.now()
    const { sample, observation } = await observe()
    expect(Math.abs(sample.now - started)).toBeLessThan(10_000)
    // The probe's own session and shell are Cairn's: not a session, not work. The user's
    // command connection is a session (notty).
    expect(observation.sessions.map((s) => s.tty)).toEqual(['notty'])
    expect(observation.sessions[0]?.client).not.toBe(
      `${sample.connection?.ip}:${sample.connection?.port}`,
    )
    expect(observation.agents).toEqual([])
    // The VM's own init is its pid 1 (the fake VM has its own pid namespace).
    expect(sample.processes.find((p) => p.pid === 1)).toBeDefined()
  })

  it('(a) a user typing in an SSH terminal is activity; an idle terminal is not', async () => {
    const session: UserSession = await openUserSession(vm)
    try {
      session.type('echo ready-$((6*7))\n')
      await session.waitFor('ready-42')
      // Make the terminal's last input an hour old, as if the user had left.
      session.type('touch -a -d "-1 hour" "$(tty)"; echo touched-$((6*7))\n')
      await session.waitFor('touched-42')
      await new Promise((r) => setTimeout(r, 200))
      let { observation, sample } = await observe()
      const login = observation.sessions.find((s) => s.tty !== 'notty')
      expect(login).toMatchObject({ user: 'dev', tty: expect.stringMatching(/^pts\/\d+$/) })
      expect(login?.client).toMatch(/^127\.0\.0\.1:\d+$/)
      const device = `/dev/${login?.tty}`
      const idle = observation.signals.find((s) => s.kind === 'terminal')
      expect(idle?.detail).toBe(`input on ${device} (bash)`)
      expect(sample.now - (idle?.at ?? 0)).toBeGreaterThan(55 * 60_000)
      expect(observation.signals.find((s) => s.kind === 'login')?.at).toBeGreaterThan(
        sample.now - 60_000,
      )

      session.type('true\n')
      await new Promise((r) => setTimeout(r, 300))
      ;({ observation, sample } = await observe())
      const typed = observation.signals.find((s) => s.kind === 'terminal')
      expect(sample.now - (typed?.at ?? 0)).toBeLessThan(15_000)
    } finally {
      await session.close()
    }
  })

  it('(b) an agent producing output and CPU is at work; once quiet, it is not', async () => {
    await sh(user, `cat > ~/bin/claude <<'EOF'\n${FAKE_AGENT}EOF\nchmod +x ~/bin/claude`)
    await observe()
    // Started by the user (not over Cairn's connection), detached: works 2 s, then waits.
    await sh(user, 'nohup ~/bin/claude 2 120 >/dev/null 2>&1 &')
    await new Promise((r) => setTimeout(r, 1000))
    const working = await observe()
    expect(working.observation.agents).toEqual([
      expect.objectContaining({ name: 'claude', cpu: expect.any(Number) }),
    ])
    expect(working.observation.agents[0]?.cpu).toBeGreaterThan(0.05)
    const busy = working.observation.signals.find((s) => s.kind === 'agent')
    expect(busy?.at).toBe(working.sample.now)
    expect(busy?.detail).toMatch(/^claude working \(CPU \d+%\)$/)

    await new Promise((r) => setTimeout(r, 1500))
    const before = await observe()
    await new Promise((r) => setTimeout(r, 700))
    const quiet = await observe()
    expect(quiet.observation.agents).toHaveLength(1)
    expect(quiet.observation.agents[0]?.cpu).toBeLessThan(0.02)
    // Still running, but nothing new: its last work is the last transcript line.
    expect(
      quiet.observation.signals.filter((s) => s.kind === 'agent').map((s) => s.detail),
    ).toEqual([
      expect.stringMatching(
        /^(claude started|agent transcript ~\/\.claude\/projects\/demo\/session\.jsonl changed)$/,
      ),
    ])
    expect(quiet.evidence.last.agent?.at).toBeLessThanOrEqual(before.sample.now)
    expect(quiet.sample.agentFileChange.path).toBe('.claude/projects/demo/session.jsonl')
    await sh(user, 'pkill -x claude || true')
    const gone = await observe()
    expect(gone.observation.agents).toEqual([])
    expect(gone.observation.signals.find((s) => s.kind === 'agent')?.detail).toBe('claude exited')
  })

  it('(c) a file change in the kept paths is activity; caches and VCS internals are not', async () => {
    await observe()
    await sh(user, 'mkdir -p ~/project/node_modules/x ~/project/.git && echo a > ~/project/main.ts')
    await new Promise((r) => setTimeout(r, 1100))
    await sh(user, 'echo b > ~/project/node_modules/x/i.js; echo c > ~/project/.git/FETCH_HEAD')
    const { sample, observation } = await observe()
    expect(sample.fileChange.path).not.toMatch(/node_modules|\.git/)
    const files = observation.signals.find((s) => s.kind === 'files')
    expect(files?.detail).toMatch(/^~\/project(\/main\.ts)? changed$/)
    expect(sample.now - (files?.at ?? 0)).toBeLessThan(10_000)
  })

  it("leaves out the work of Cairn's own other connections", async () => {
    const backup = await vm.connect('dev')
    try {
      const client = await ownClientOf(backup)
      expect(client).toMatchObject({ ip: '127.0.0.1', sessionPid: expect.any(Number) })
      const since = Date.now()
      await observe([{ ...client!, since }])
      // A backup-like job: a second of CPU on Cairn's connection.
      await sh(backup, 'i=0; while [ $i -lt 150000 ]; do i=$((i + 1)); done')
      const ours = await observe([{ ...client!, since }])
      expect(ours.observation.cpu).toBeLessThan(0.1)
      await sh(backup, 'i=0; while [ $i -lt 150000 ]; do i=$((i + 1)); done')
      const theirs = await observe()
      expect(theirs.observation.cpu).toBeGreaterThan(0.1)
    } finally {
      await backup.close()
    }
  })

  it('sees a VS Code window connect', async () => {
    const dir = '~/.vscode-server/cli/servers/Stable-0000/server'
    await sh(
      user,
      `mkdir -p ${dir} && printf '#!/bin/sh\\nsleep 60\\n' > ${dir}/node && chmod +x ${dir}/node`,
    )
    await sh(user, `nohup ${dir}/node --type=extensionHost >/dev/null 2>&1 &`)
    await new Promise((r) => setTimeout(r, 300))
    const { observation, sample } = await observe()
    expect(observation.vscode).toMatchObject({ servers: 1, windows: 1 })
    const vscode = observation.signals.find((s) => s.kind === 'vscode')
    expect(vscode?.detail).toBe('a VS Code window connected')
    expect(sample.now - (vscode?.at ?? 0)).toBeLessThan(10_000)
    await sh(user, "pkill -f '[.]vscode-server' || true")
  })
})
