import { describe, expect, it } from 'vitest'
import {
  emptyTracker,
  track,
  type Signal,
  type TrackerState,
} from '../../../src/main/core/idle/evidence'
import type { ProbeProcess, ProbeSample } from '../../../src/main/core/idle/probe-sample'
import { agentName, terminalDevice } from '../../../src/main/core/idle/process-kinds'

const T0 = Date.UTC(2030, 0, 1, 9)
const MIN = 60_000
const PTS = (n: number) => 136 * 256 + n

function proc(
  p: Partial<ProbeProcess> & Pick<ProbeProcess, 'pid' | 'ppid' | 'comm'>,
): ProbeProcess {
  return {
    ttyNr: 0,
    utime: 0,
    stime: 0,
    cutime: 0,
    cstime: 0,
    startedAt: T0 - 60 * MIN,
    cmdline: p.comm,
    ...p,
  }
}

/** A VM with init, sshd and Cairn's probe session; `extra` adds the processes under test. */
function sample(
  now: number,
  extra: ProbeProcess[] = [],
  more: Partial<ProbeSample> = {},
): ProbeSample {
  return {
    now,
    horizon: now - MIN,
    selfPid: 51,
    connection: { ip: '192.0.2.1', port: 40000 },
    bootTime: T0 - 120 * MIN,
    systemCpu: null,
    load: null,
    processes: [
      proc({ pid: 1, ppid: 0, comm: 'systemd', startedAt: T0 - 119 * MIN }),
      proc({
        pid: 10,
        ppid: 1,
        comm: 'sshd',
        cmdline: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10',
      }),
      proc({
        pid: 50,
        ppid: 10,
        comm: 'sshd',
        cmdline: 'sshd: dev@notty',
        startedAt: T0 - 10 * MIN,
      }),
      proc({ pid: 51, ppid: 50, comm: 'sh', startedAt: now - 50, utime: 30 }),
      ...extra,
    ],
    terminals: [],
    sshClients: new Map([[51, { ip: '192.0.2.1', port: 40000 }]]),
    fileChange: { count: 0, at: null, path: null },
    agentFileChange: { count: 0, at: null, path: null },
    ...more,
  }
}

function run(
  samples: ProbeSample[],
  options: Parameters<typeof track>[1] extends infer O ? Partial<O> : never = {},
) {
  let state: TrackerState = emptyTracker
  let result: ReturnType<typeof track> | undefined
  for (const s of samples) {
    result = track(state, { ...options, sample: s })
    state = result.state
  }
  return result as ReturnType<typeof track>
}

const kinds = (signals: Signal[]) => signals.map((s) => s.kind).sort()

describe('evidence from probe samples', () => {
  it('starts the idle clock at the workspace start (or the VM init) and knows no CPU yet', () => {
    const r = run([sample(T0)])
    expect(r.evidence.cpuKnown).toBe(false)
    expect(r.evidence.latest).toMatchObject({ kind: 'start', at: T0 - 119 * MIN })
    const given = run([sample(T0)], { startedAt: T0 - 5 * MIN })
    expect(given.evidence.latest).toMatchObject({ kind: 'start', at: T0 - 5 * MIN })
  })

  it('measures CPU between two samples, without Cairn and sshd', () => {
    const busy = (now: number, ms: number) =>
      sample(
        now,
        [
          proc({ pid: 300, ppid: 1, comm: 'python3', utime: ms }),
          // Cairn's backup on another connection, reading every file.
          proc({ pid: 400, ppid: 401, comm: 'tar', utime: ms * 10, startedAt: T0 - 2 * MIN }),
          proc({
            pid: 401,
            ppid: 10,
            comm: 'sshd',
            cmdline: 'sshd: dev@notty',
            cutime: ms * 5,
            startedAt: T0 - 2 * MIN,
          }),
        ],
        {
          sshClients: new Map([
            [51, { ip: '192.0.2.1', port: 40000 }],
            [400, { ip: '192.0.2.1', port: 40100 }],
          ]),
        },
      )
    const own = [{ ip: '192.0.2.1', port: 40100, since: T0 - 3 * MIN }]
    const idle = run([busy(T0, 1000), busy(T0 + MIN, 2000)], { ownClients: own })
    expect(idle.evidence.cpuKnown).toBe(true)
    expect(idle.observation.cpu).toBeCloseTo(1000 / MIN)
    expect(kinds(idle.observation.signals)).not.toContain('cpu')
    const working = run([busy(T0, 1000), busy(T0 + MIN, 31_000)], { ownClients: own })
    expect(working.observation.cpu).toBeCloseTo(0.5)
    expect(working.observation.signals.find((s) => s.kind === 'cpu')).toMatchObject({
      at: T0 + MIN,
      detail: 'CPU at 50% of a core (most: python3 50%)',
    })
    // Without being told, the backup is someone's work.
    const unknown = run([busy(T0, 1000), busy(T0 + MIN, 2000)])
    expect(kinds(unknown.observation.signals)).toContain('cpu')
  })

  it("knows Cairn's connection by its sshd session after its commands have exited", () => {
    const session = (cutime: number) =>
      proc({
        pid: 401,
        ppid: 10,
        comm: 'sshd',
        cmdline: 'sshd: dev@notty',
        cutime,
        startedAt: T0 - 2 * MIN,
      })
    const samples = [sample(T0, [session(0)]), sample(T0 + MIN, [session(40_000)])]
    const told = run(samples, {
      ownClients: [{ port: 40100, since: T0 - 2 * MIN + 300, sessionPid: 401 }],
    })
    expect(told.observation.cpu).toBe(0)
    // A user's session reaping the user's commands is the user's work.
    expect(run(samples).observation.cpu).toBeCloseTo(40_000 / MIN)
    // A pid reused by a later session is not Cairn's.
    const reused = run(samples, {
      ownClients: [{ port: 40100, since: T0 - 20 * MIN, sessionPid: 401 }],
    })
    expect(reused.observation.cpu).toBeCloseTo(40_000 / MIN)
  })

  it('does not take an old process with a reused client port for Cairn', () => {
    const s = (now: number, ms: number) =>
      sample(
        now,
        [proc({ pid: 700, ppid: 1, comm: 'tmux: server', utime: ms, startedAt: T0 - 50 * MIN })],
        {
          sshClients: new Map([
            [51, { ip: '192.0.2.1', port: 40000 }],
            [700, { ip: '192.0.2.1', port: 40100 }],
          ]),
        },
      )
    const r = run([s(T0, 0), s(T0 + MIN, 30_000)], {
      ownClients: [{ ip: '192.0.2.1', port: 40100, since: T0 - 2 * MIN }],
    })
    expect(kinds(r.observation.signals)).toContain('cpu')
  })

  it('counts the CPU of a child that exited once, not again through its parent', () => {
    const shell = (cutime: number) => proc({ pid: 200, ppid: 1, comm: 'bash', cutime })
    const make = proc({ pid: 201, ppid: 200, comm: 'make', utime: 50_000, startedAt: T0 - 5 * MIN })
    // The build used 50 s before the first sample and 2 s more before it exited.
    const r = run([sample(T0, [shell(0), make]), sample(T0 + MIN, [shell(52_000)])])
    expect(r.observation.cpu).toBeCloseTo(2_000 / MIN)
    expect(kinds(r.observation.signals)).not.toContain('cpu')
  })

  it('sees a new process at its full CPU', () => {
    const r = run([
      sample(T0),
      sample(T0 + MIN, [
        proc({ pid: 900, ppid: 1, comm: 'cargo', utime: 20_000, startedAt: T0 + 10_000 }),
      ]),
    ])
    expect(r.observation.cpu).toBeCloseTo(20_000 / MIN)
  })

  it('has no CPU reading across a long gap (the desktop slept)', () => {
    const r = run([
      sample(T0),
      sample(T0 + 10 * MIN, [proc({ pid: 300, ppid: 1, comm: 'x', utime: 500_000 })]),
    ])
    expect(r.evidence.cpuKnown).toBe(false)
    expect(r.observation.cpu).toBeNull()
  })

  it('reads terminal input, not output, with the 8-second step allowed for', () => {
    const s = sample(T0, [proc({ pid: 60, ppid: 1, comm: 'bash', ttyNr: PTS(3) })], {
      terminals: [{ device: '/dev/pts/3', inputAt: T0 - 20 * MIN, outputAt: T0 - 1000 }],
    })
    const r = run([s])
    expect(r.observation.signals.find((x) => x.kind === 'terminal')).toEqual({
      kind: 'terminal',
      at: T0 - 20 * MIN + 8_000,
      detail: 'input on /dev/pts/3 (bash)',
    })
  })

  it('never reports a time after the sample', () => {
    const s = sample(T0, [proc({ pid: 60, ppid: 1, comm: 'bash', ttyNr: PTS(3) })], {
      terminals: [{ device: '/dev/pts/3', inputAt: T0 - 2_000, outputAt: T0 }],
      fileChange: { count: 1, at: T0 + 3_600_000, path: '/home/dev/future.txt' },
    })
    for (const signal of run([s]).observation.signals) expect(signal.at).toBeLessThanOrEqual(T0)
  })

  it('lists SSH sessions other than its own; a login is activity when it began', () => {
    const s = sample(
      T0,
      [
        proc({
          pid: 80,
          ppid: 79,
          comm: 'sshd',
          cmdline: 'sshd: dev@pts/0',
          startedAt: T0 - 7 * MIN,
        }),
        proc({ pid: 81, ppid: 80, comm: 'bash', ttyNr: PTS(0), startedAt: T0 - 7 * MIN }),
        proc({ pid: 79, ppid: 10, comm: 'sshd', cmdline: 'sshd: dev [priv]' }),
      ],
      {
        terminals: [{ device: '/dev/pts/0', inputAt: T0 - 6 * MIN, outputAt: T0 - 6 * MIN }],
        sshClients: new Map([
          [51, { ip: '192.0.2.1', port: 40000 }],
          [81, { ip: '198.51.100.7', port: 51515 }],
        ]),
      },
    )
    const r = run([s])
    expect(r.observation.sessions).toEqual([
      {
        pid: 80,
        user: 'dev',
        tty: 'pts/0',
        startedAt: T0 - 7 * MIN,
        client: '198.51.100.7:51515',
        inputAt: T0 - 6 * MIN,
      },
    ])
    expect(r.observation.signals.find((x) => x.kind === 'login')).toMatchObject({
      at: T0 - 7 * MIN,
      detail: 'SSH login of dev from 198.51.100.7 (pts/0)',
    })
    expect(r.evidence.latest).toMatchObject({ kind: 'terminal', at: T0 - 6 * MIN + 8_000 })
  })

  it('knows agents by name, script or package, and judges them by CPU, output and transcripts', () => {
    const agent = (utime: number) =>
      proc({
        pid: 500,
        ppid: 60,
        comm: 'node',
        cmdline: 'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js',
        ttyNr: PTS(4),
        utime,
        startedAt: T0 - 30 * MIN,
      })
    const tool = (utime: number) =>
      proc({ pid: 501, ppid: 500, comm: 'rg', utime, startedAt: T0 - 30 * MIN })
    const s = (now: number, a: number, b: number, outputAt: number) =>
      sample(now, [proc({ pid: 60, ppid: 1, comm: 'tmux: server' }), agent(a), tool(b)], {
        terminals: [{ device: '/dev/pts/4', inputAt: T0 - 40 * MIN, outputAt }],
      })
    // Quiet: no CPU, no output for 20 minutes, no transcript.
    const quiet = run([s(T0, 1000, 0, T0 - 20 * MIN), s(T0 + MIN, 1100, 0, T0 - 20 * MIN)])
    expect(quiet.observation.agents).toEqual([
      {
        pid: 500,
        name: 'claude-code',
        startedAt: T0 - 30 * MIN,
        cpu: 100 / MIN,
        terminal: '/dev/pts/4',
      },
    ])
    expect(quiet.evidence.last.agent?.at).toBe(T0 - 20 * MIN + 8_000)
    // Its tool call uses CPU: the agent works.
    const working = run([s(T0, 1000, 0, T0 - 20 * MIN), s(T0 + MIN, 1100, 3000, T0 - 20 * MIN)])
    expect(working.evidence.last.agent).toMatchObject({
      at: T0 + MIN,
      detail: 'claude-code working (CPU 5%)',
    })
    // A transcript line is enough on its own.
    const writing = run([
      sample(T0 + MIN, [], {
        agentFileChange: {
          count: 2,
          at: T0 + 30_000,
          path: '.codex/sessions/2030/01/01/r.jsonl',
        },
      }),
    ])
    expect(writing.evidence.last.agent).toMatchObject({
      at: T0 + 30_000,
      detail: 'agent transcript ~/.codex/sessions/2030/01/01/r.jsonl changed',
    })
  })

  it('notices an agent that exited since the previous probe', () => {
    const a = proc({ pid: 500, ppid: 1, comm: 'codex', startedAt: T0 - 30 * MIN })
    const r = run([sample(T0, [a]), sample(T0 + MIN)])
    expect(r.evidence.last.agent).toMatchObject({ at: T0 + MIN, detail: 'codex exited' })
  })

  it('sees VS Code windows connect and its server work, but not its terminals', () => {
    const server = (utime: number) =>
      proc({
        pid: 600,
        ppid: 1,
        comm: 'node',
        cmdline:
          '/home/dev/.vscode-server/cli/servers/Stable-abc/server/node /home/dev/.vscode-server/cli/servers/Stable-abc/server/out/server-main.js --start-server',
        utime,
      })
    const host = proc({
      pid: 601,
      ppid: 600,
      comm: 'node',
      cmdline:
        '/home/dev/.vscode-server/cli/servers/Stable-abc/server/node --dns-result-order=ipv4first /home/dev/.vscode-server/cli/servers/Stable-abc/server/out/bootstrap-fork --type=extensionHost',
      startedAt: T0 - 3 * MIN,
    })
    const pty = proc({
      pid: 602,
      ppid: 600,
      comm: 'node',
      cmdline: '/home/dev/.vscode-server/x/node --type=ptyHost',
    })
    const shell = (utime: number) =>
      proc({ pid: 603, ppid: 602, comm: 'bash', ttyNr: PTS(7), utime })
    const s = (now: number, a: number, b: number) => sample(now, [server(a), host, pty, shell(b)])
    const terminalOnly = run([s(T0, 0, 0), s(T0 + MIN, 0, 30_000)])
    expect(terminalOnly.observation.vscode).toEqual({ servers: 1, windows: 1, cpu: 0 })
    expect(terminalOnly.evidence.last.vscode).toMatchObject({
      at: T0 - 3 * MIN,
      detail: 'a VS Code window connected',
    })
    expect(terminalOnly.evidence.last.cpu?.at).toBe(T0 + MIN)
    const editing = run([s(T0, 0, 0), s(T0 + MIN, 4000, 0)])
    expect(editing.evidence.last.vscode).toMatchObject({
      at: T0 + MIN,
      detail: 'VS Code server working (CPU 7%)',
    })
  })

  it('keeps the latest of each kind across samples', () => {
    const a = track(emptyTracker, {
      sample: sample(T0, [], { fileChange: { count: 1, at: T0 - 5_000, path: '/home/dev/a' } }),
    })
    const b = track(a.state, { sample: sample(T0 + MIN) })
    expect(b.evidence.last.files).toMatchObject({ at: T0 - 5_000, detail: '~/a changed' })
    expect(b.evidence.latest?.kind).toBe('files')
  })
})

describe('process kinds', () => {
  const p = (comm: string, cmdline: string) => proc({ pid: 2, ppid: 1, comm, cmdline })
  it.each([
    ['claude', 'claude --dangerously-skip-permissions', 'claude'],
    ['node', 'node /home/dev/.npm-global/bin/claude', 'claude'],
    ['node', 'node /usr/lib/node_modules/@openai/codex/bin/codex.js exec', 'codex'],
    [
      'codex-x86_64-u',
      '/usr/lib/node_modules/@openai/codex/vendor/codex-x86_64-unknown-linux-musl',
      null,
    ],
    ['aider', '/usr/bin/python3 /home/dev/.local/bin/aider --model x', 'aider'],
    ['python3', 'python3 -m aider', 'aider'],
    ['node', 'node --no-warnings /usr/bin/gemini', 'gemini'],
    ['opencode', '/home/dev/.opencode/bin/opencode', 'opencode'],
    ['cursor-agent', 'cursor-agent', 'cursor-agent'],
    ['node', 'node server.js', null],
    ['vim', 'vim claude.md', null],
  ])('%s %s -> %s', (comm, cmdline, expected) => {
    expect(agentName(p(comm, cmdline))).toBe(expected)
  })

  it('decodes terminal numbers as the kernel encodes them', () => {
    expect(terminalDevice(0)).toBeNull()
    expect(terminalDevice(136 * 256 + 5)).toBe('/dev/pts/5')
    expect(terminalDevice(136 * 256 + 44 + 1048576)).toBe('/dev/pts/300')
    expect(terminalDevice(4 * 256 + 1)).toBe('/dev/tty1')
    expect(terminalDevice(4 * 256 + 64)).toBe('/dev/ttyS0')
  })
})
