import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseProbeOutput } from '../../../src/main/core/idle/probe-parse'
import { probeCommand } from '../../../src/main/core/idle/probe-script'
import { CairnError } from '../../../src/shared/errors'

const run = promisify(execFile)

/*
 * On a loaded machine `script` can take well over a few hundred milliseconds to exec its child,
 * so wait until the agent-named process is really there, and say why if `script` gave up.
 */
async function waitForAgent(child: ReturnType<typeof spawn>): Promise<void> {
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`script exited ${child.exitCode}: ${stderr}`)
    for (const pid of await readdir('/proc').catch(() => [])) {
      if (!/^\d+$/.test(pid)) continue
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      if (cmdline.startsWith('claude\0')) return
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no process named claude appeared within 15 s: ${stderr}`)
}

/*
 * The probe script is run here by this machine's /bin/sh (dash) with its awk (mawk), GNU find and
 * coreutils, against the real /proc: the same tools as an Ubuntu VM. Over SSH it is tested in
 * test/integration/idle.
 */
describe('the probe script, run locally', () => {
  let home: string
  let output: string
  let started: number
  let pty: ReturnType<typeof spawn> | null = null
  const lookback = 600

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'cairn-idle-probe-'))
    await mkdir(join(home, 'project/src'), { recursive: true })
    await mkdir(join(home, 'project/node_modules/dep'), { recursive: true })
    await mkdir(join(home, 'project/.git'), { recursive: true })
    await mkdir(join(home, '.claude/projects/p'), { recursive: true })
    await writeFile(join(home, 'project/src/a.ts'), 'a')
    await new Promise((r) => setTimeout(r, 20))
    // Newer, but in pruned places: never reported.
    await writeFile(join(home, 'project/node_modules/dep/x.js'), 'x')
    await writeFile(join(home, 'project/.git/FETCH_HEAD'), 'x')
    await writeFile(join(home, '.claude/projects/p/session.jsonl'), '{}\n')
    // A process on a terminal of its own, named like an agent.
    // `exec -a` is bash's; `script` runs $SHELL, which CI leaves unset (so dash), hence bash -c.
    pty = spawn('script', ['-qfc', `bash -c 'exec -a claude sleep 30'`, '/dev/null'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    await waitForAgent(pty)
    started = Date.now()
    const command = probeCommand({ lookbackSeconds: lookback, keptPaths: [join(home, 'project')] })
    const result = await run('sh', ['-c', command.toString('utf8')], {
      env: { ...process.env, HOME: home, SSH_CONNECTION: '10.1.2.3 50022 10.1.2.4 22' },
      maxBuffer: 64 * 1024 * 1024,
    })
    output = result.stdout
  }, 30_000)

  afterAll(async () => {
    pty?.kill()
    await rm(home, { recursive: true, force: true })
  })

  it('reports the clock, its own shell and connection', () => {
    const sample = parseProbeOutput(output, lookback)
    expect(Math.abs(sample.now - started)).toBeLessThan(5_000)
    expect(sample.horizon).toBe(sample.now - lookback * 1000)
    expect(sample.connection).toEqual({ ip: '10.1.2.3', port: 50022 })
    expect(sample.selfPid).toBeGreaterThan(1)
    expect(sample.bootTime).toBeLessThan(sample.now)
    expect(sample.load).toHaveLength(3)
    expect(sample.systemCpu?.length).toBe(8)
  })

  it('lists processes with CPU times, start times and command lines', () => {
    const sample = parseProbeOutput(output, lookback)
    const self = sample.processes.find((p) => p.pid === process.pid)
    expect(self).toBeDefined()
    expect(self?.utime).toBeGreaterThan(0)
    expect(self?.cmdline).toContain('node')
    expect(Math.abs((self?.startedAt ?? 0) - (Date.now() - process.uptime() * 1000))).toBeLessThan(
      5_000,
    )
    const probeShell = sample.processes.find((p) => p.pid === sample.selfPid)
    expect(probeShell?.cmdline).toMatch(/^sh -c/)
    // Kernel threads are left out.
    expect(sample.processes.some((p) => p.ppid === 2)).toBe(false)
    // Its own environment tells its SSH client.
    expect(sample.sshClients.get(sample.selfPid)).toEqual({ ip: '10.1.2.3', port: 50022 })
  })

  it('reports the terminals processes hold, with input and output times', () => {
    const sample = parseProbeOutput(output, lookback)
    const agent = sample.processes.find((p) => p.cmdline.startsWith('claude'))
    expect(agent).toBeDefined()
    expect(agent?.ttyNr).toBeGreaterThan(0)
    expect(sample.terminals.length).toBeGreaterThan(0)
    for (const t of sample.terminals) {
      expect(t.device).toMatch(/^\/dev\/(pts\/\d+|tty\d+|ttyS\d+)$/)
      expect(t.outputAt).toBeLessThanOrEqual(sample.now + 1000)
    }
  })

  it('finds the newest change under the kept paths, skipping caches and VCS internals', () => {
    const sample = parseProbeOutput(output, lookback)
    expect(sample.fileChange.path).not.toContain('node_modules')
    expect(sample.fileChange.path).not.toContain('.git')
    expect(sample.fileChange.count).toBeGreaterThanOrEqual(2) // the dir and a.ts (and src)
    expect(sample.fileChange.at).toBeGreaterThan(started - 10_000)
    expect(sample.agentFileChange).toMatchObject({
      count: 1,
      path: '.claude/projects/p/session.jsonl',
    })
  })

  it('reports nothing older than the look-back', async () => {
    // Node's own binary has not changed in the last minute.
    const command = probeCommand({ lookbackSeconds: 60, keptPaths: [process.execPath] })
    const { stdout } = await run('sh', ['-c', command.toString('utf8')], {
      env: { ...process.env, HOME: join(home, 'project/src') },
      maxBuffer: 64 * 1024 * 1024,
    })
    const sample = parseProbeOutput(stdout, 60)
    expect(sample.fileChange).toEqual({ count: 0, at: null, path: null })
    expect(sample.agentFileChange.count).toBe(0)
    expect(sample.connection).toBeNull()
  })

  it('copes with kept paths that do not exist and with none at all', async () => {
    for (const keptPaths of [[join(home, 'missing')], []]) {
      const command = probeCommand({ lookbackSeconds: 60, keptPaths })
      const { stdout } = await run('sh', ['-c', command.toString('utf8')], {
        env: { ...process.env, HOME: join(home, 'no-such-home') },
        maxBuffer: 64 * 1024 * 1024,
      })
      const sample = parseProbeOutput(stdout, 60)
      expect(sample.fileChange.count).toBe(0)
      expect(sample.agentFileChange.count).toBe(0)
    }
  })
})

describe('parseProbeOutput', () => {
  const good = [
    'cairn-idle-probe 1',
    'now 1800000000.250000000',
    'self 40',
    'conn 10.0.0.1 41000 10.0.0.2 22',
    'clk 100',
    'btime 1799990000',
    'cpu 1 2 3 4 5 6 7 8',
    'load 0.50 0.25 0.10',
    'p 1 0 0 100 50 7 3 200 systemd',
    'p 40 39 34817 1 1 0 0 99000 tmux:?server',
    't /dev/pts/1 1799999990 1799999995',
    'e 40 10.0.0.1 41000',
    'f 3 1799999999.1234567890 /home/dev/p/a b.ts',
    'a 0',
    'some-future-record 1 2 3',
    '@cmdline',
    '==> /proc/1/cmdline <==',
    '/sbin/init splash ',
    '==> /proc/40/cmdline <==',
    'tmux new -s "a',
    'b" ',
  ].join('\n')

  it('reads every record, in milliseconds on the VM clock', () => {
    const s = parseProbeOutput(good, 120)
    expect(s.now).toBe(1800000000250)
    expect(s.horizon).toBe(1800000000250 - 120_000)
    expect(s.bootTime).toBe(1799990000000)
    expect(s.processes).toEqual([
      {
        pid: 1,
        ppid: 0,
        ttyNr: 0,
        utime: 1000,
        stime: 500,
        cutime: 70,
        cstime: 30,
        startedAt: 1799990002000,
        comm: 'systemd',
        cmdline: '/sbin/init splash',
      },
      {
        pid: 40,
        ppid: 39,
        ttyNr: 34817,
        utime: 10,
        stime: 10,
        cutime: 0,
        cstime: 0,
        startedAt: 1799990990000,
        comm: 'tmux:?server',
        cmdline: 'tmux new -s "a b"',
      },
    ])
    expect(s.terminals).toEqual([
      { device: '/dev/pts/1', inputAt: 1799999990000, outputAt: 1799999995000 },
    ])
    expect(s.sshClients.get(40)).toEqual({ ip: '10.0.0.1', port: 41000 })
    expect(s.fileChange).toEqual({ count: 3, at: 1799999999123, path: '/home/dev/p/a b.ts' })
    expect(s.agentFileChange).toEqual({ count: 0, at: null, path: null })
  })

  it('refuses output that is not a whole probe', () => {
    const cut = (text: string) => () => parseProbeOutput(text, 60)
    expect(cut('')).toThrow(CairnError)
    expect(cut('hello\n')).toThrow(/header/)
    expect(cut(good.replace('cairn-idle-probe 1', 'cairn-idle-probe 2'))).toThrow(/header/)
    expect(cut(good.split('\n').slice(0, 9).join('\n'))).toThrow(/before the end/)
    expect(cut(good.replace(/\nnow [^\n]*/, ''))).toThrow(/clock/)
    expect(cut(good.split('@cmdline')[0] as string)).toThrow(/command lines/)
  })
})
