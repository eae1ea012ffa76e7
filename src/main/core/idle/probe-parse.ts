import { CairnError } from '../../../shared/errors'
import { PROBE_FORMAT } from './probe-script'
import type { NewestChange, ProbeProcess, ProbeSample } from './probe-sample'

const CMDLINE_HEADER = /^==> \/proc\/(\d+)\/cmdline <==$/

/**
 * Reads the probe's output (see probe-script.ts). Anything that is not the probe's format fails
 * with `remote_error`: a probe the desktop cannot read is a failed probe, never evidence of
 * idleness.
 */
export function parseProbeOutput(output: string, lookbackSeconds: number): ProbeSample {
  const lines = output.split('\n')
  if (lines[0]?.trim() !== `cairn-idle-probe ${PROBE_FORMAT}`) {
    throw bad('it did not start with the probe header')
  }
  let now: number | null = null
  let selfPid = 0
  let connection: ProbeSample['connection'] = null
  let clockTicks = 100
  let bootTime: number | null = null
  let systemCpu: number[] | null = null
  let load: ProbeSample['load'] = null
  const raw: Omit<ProbeProcess, 'startedAt' | 'cmdline'>[] = []
  const starts = new Map<number, number>()
  const terminals: ProbeSample['terminals'] = []
  const sshClients: ProbeSample['sshClients'] = new Map()
  let fileChange: NewestChange | null = null
  let agentFileChange: NewestChange | null = null
  let i = 1
  for (; i < lines.length; i++) {
    const line = lines[i] as string
    if (line === '@cmdline') break
    const fields = line.split(' ')
    const tag = fields[0]
    switch (tag) {
      case 'now':
        now = seconds(fields[1])
        break
      case 'self':
        selfPid = int(fields[1])
        break
      case 'conn':
        connection = fields[1] && fields[2] ? { ip: fields[1], port: int(fields[2]) } : null
        break
      case 'clk':
        clockTicks = int(fields[1]) || 100
        break
      case 'btime':
        bootTime = int(fields[1]) * 1000
        break
      case 'cpu':
        systemCpu = fields.slice(1).map(int)
        break
      case 'load':
        load = [num(fields[1]), num(fields[2]), num(fields[3])]
        break
      case 'p': {
        if (fields.length < 10) break
        const [pid, ppid, ttyNr, utime, stime, cutime, cstime, start] = fields.slice(1, 9).map(int)
        raw.push({
          pid: pid as number,
          ppid: ppid as number,
          ttyNr: ttyNr as number,
          utime: utime as number,
          stime: stime as number,
          cutime: cutime as number,
          cstime: cstime as number,
          comm: fields.slice(9).join(' '),
        })
        starts.set(pid as number, start as number)
        break
      }
      case 't':
        if (fields[1] && fields.length >= 4)
          terminals.push({
            device: fields[1],
            inputAt: int(fields[2]) * 1000,
            outputAt: int(fields[3]) * 1000,
          })
        break
      case 'e':
        if (fields[1] && fields[2] && fields[3])
          sshClients.set(int(fields[1]), { ip: fields[2], port: int(fields[3]) })
        break
      case 'f':
        fileChange = newest(fields)
        break
      case 'a':
        agentFileChange = newest(fields)
        break
      default:
        // Unknown records are skipped: a newer probe may add some.
        break
    }
  }
  if (now === null || !Number.isFinite(now)) throw bad('it did not report the VM clock')
  if (bootTime === null) throw bad('it did not report the boot time')
  if (fileChange === null || agentFileChange === null) throw bad('it stopped before the end')
  if (i >= lines.length) throw bad('it stopped before the command lines')

  const cmdlines = parseCmdlines(lines.slice(i + 1))
  const boot = bootTime
  const processes = raw.map((p) => ({
    ...p,
    startedAt: boot + ((starts.get(p.pid) ?? 0) * 1000) / clockTicks,
    cmdline: cmdlines.get(p.pid) ?? '',
  }))
  // CPU ticks become milliseconds so nothing downstream needs the tick rate.
  const toMs = (ticks: number) => (ticks * 1000) / clockTicks
  for (const p of processes) {
    p.utime = toMs(p.utime)
    p.stime = toMs(p.stime)
    p.cutime = toMs(p.cutime)
    p.cstime = toMs(p.cstime)
  }
  return {
    now,
    horizon: now - lookbackSeconds * 1000,
    selfPid,
    connection,
    bootTime,
    systemCpu,
    load,
    processes,
    terminals,
    sshClients,
    fileChange,
    agentFileChange,
  }
}

/** `head -v` output: a header line per file, then its bytes (which may hold newlines). */
function parseCmdlines(lines: string[]): Map<number, string> {
  const result = new Map<number, string>()
  let pid: number | null = null
  let parts: string[] = []
  const flush = () => {
    if (pid !== null) result.set(pid, parts.join('\n').replace(/\s+/g, ' ').trim())
  }
  for (const line of lines) {
    const header = CMDLINE_HEADER.exec(line)
    if (header) {
      flush()
      pid = Number(header[1])
      parts = []
    } else {
      parts.push(line)
    }
  }
  flush()
  return result
}

function newest(fields: string[]): NewestChange {
  const count = int(fields[1])
  if (count === 0 || fields[2] === undefined) return { count: 0, at: null, path: null }
  return { count, at: seconds(fields[2]), path: fields.slice(3).join(' ') || null }
}

function int(text: string | undefined): number {
  const value = Number.parseInt(text ?? '', 10)
  return Number.isFinite(value) ? value : 0
}

function num(text: string | undefined): number {
  const value = Number.parseFloat(text ?? '')
  return Number.isFinite(value) ? value : 0
}

/** `1700000000.123456789` (find's %C@ has ten fraction digits) -> epoch ms. */
function seconds(text: string | undefined): number {
  return Math.floor(Number.parseFloat(text ?? 'NaN') * 1000)
}

function bad(why: string): CairnError {
  return new CairnError(
    'remote_error',
    `The idle check's output from the workspace could not be read: ${why}.`,
  )
}
