/** The results table, the targets of issue 3 with PASS/MISS, and the JSON written next to them. */
import type { ChangeSummary } from './change'
import { MIB } from './dataset'
import type { Op, OpMeasurement } from './tools'

export interface Target {
  name: string
  goal: string
  actual: string
  pass: boolean | null
}

const OPS: Op[] = [
  'full backup',
  'unchanged backup',
  '1% change backup',
  'restore (local)',
  'verify (full)',
  'restore (ssh, fresh VM)',
]

const secs = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1)) + ' s'
const mib = (bytes: number) =>
  (bytes >= 100 * MIB ? (bytes / MIB).toFixed(0) : (bytes / MIB).toFixed(1)) + ' MiB'
const rss = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`
const cpu = (m: OpMeasurement) =>
  `${((m.measured.userMs + m.measured.systemMs) / 1000).toFixed(1)} s`

function requests(
  m: OpMeasurement,
): { put: number; get: number; list: number; bytesUp: number } | null {
  // Cairn: its own counters (they match the proxy's; both are in the JSON). restic: the proxy's.
  const c = m.store ?? m.proxy
  if (!c) return null
  return { put: c.put, get: c.get, list: c.list, bytesUp: c.bytesUp }
}

/** Per tool and operation, the measurement with the median wall time (lower median for even counts). */
export function medians(ms: OpMeasurement[]): OpMeasurement[] {
  const groups = new Map<string, OpMeasurement[]>()
  for (const m of ms) {
    const key = `${m.tool}\0${m.op}`
    groups.set(key, [...(groups.get(key) ?? []), m])
  }
  return [...groups.values()].map((g) => {
    const sorted = [...g].sort((a, b) => a.measured.wallMs - b.measured.wallMs)
    return sorted[Math.floor((sorted.length - 1) / 2)] as OpMeasurement
  })
}

/**
 * Cairn/restic wall-time ratios of one operation, one per round (both ran in the same round, one
 * right after the other, so they saw about the same load), and their median: sturdier on a shared
 * machine than the ratio of two medians taken from different rounds.
 */
export function pairedRatios(
  all: OpMeasurement[],
  op: Op,
): { each: number[]; median: number } | null {
  const each: number[] = []
  for (const c of all.filter((m) => m.tool === 'cairn' && m.op === op)) {
    const r = all.find((m) => m.tool === 'restic' && m.op === op && m.round === c.round)
    if (r) each.push(c.measured.wallMs / r.measured.wallMs)
  }
  if (each.length === 0) return null
  const sorted = [...each].sort((a, b) => a - b)
  const mid = sorted.length / 2
  const median =
    sorted.length % 2
      ? (sorted[Math.floor(mid)] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { each, median }
}

export function find(
  ms: OpMeasurement[],
  tool: 'cairn' | 'restic',
  op: Op,
): OpMeasurement | undefined {
  return ms.find((m) => m.tool === tool && m.op === op)
}

export function table(
  ms: OpMeasurement[],
  datasetBytes: number,
  all: OpMeasurement[] = ms,
): string {
  const head = [
    'operation',
    'Cairn time (op)',
    'restic time',
    'ratio',
    'Cairn MiB/s',
    'restic MiB/s',
    'Cairn CPU (+VM)',
    'restic CPU',
    'Cairn peak RSS',
    'restic peak RSS',
    'Cairn PUT/GET/LIST',
    'restic PUT/GET/LIST',
    'Cairn up',
    'restic up',
  ]
  const rows: string[][] = []
  for (const op of OPS) {
    const c = find(ms, 'cairn', op)
    const r = find(ms, 'restic', op)
    if (!c && !r) continue
    const rate = (m?: OpMeasurement) =>
      m ? (datasetBytes / MIB / (m.measured.wallMs / 1000)).toFixed(0) : '–'
    const req = (m?: OpMeasurement) => {
      const q = m && requests(m)
      return q ? `${q.put}/${q.get}/${q.list}` : '–'
    }
    const up = (m?: OpMeasurement) => {
      const q = m && requests(m)
      return q ? mib(q.bytesUp) : '–'
    }
    rows.push([
      op,
      c ? `${secs(c.measured.wallMs)} (${secs(c.opMs ?? c.measured.wallMs)})` : '–',
      r ? secs(r.measured.wallMs) : 'n/a',
      pairedRatios(all, op)?.median.toFixed(2) ?? '–',
      rate(c),
      rate(r),
      c ? cpu(c) + (c.vmCpuMs !== undefined ? ` (+${(c.vmCpuMs / 1000).toFixed(1)})` : '') : '–',
      r ? cpu(r) : '–',
      c ? rss(c.measured.maxRssKiB) : '–',
      r ? rss(r.measured.maxRssKiB) : '–',
      req(c),
      req(r),
      up(c),
      up(r),
    ])
  }
  const cells = [head, ...rows]
  const widths = head.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)))
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n')
}

/** `ms`: the typical (median) measurements; `all`: every round, for the worst peak RSS. */
export function targets(
  ms: OpMeasurement[],
  change: ChangeSummary | null,
  all: OpMeasurement[] = ms,
): Target[] {
  const out: Target[] = []
  const ratio = (op: Op, name: string) => {
    const r = pairedRatios(all, op)
    out.push({
      name,
      goal: 'ratio < 1.0',
      actual: r
        ? r.each.length > 1
          ? `${r.median.toFixed(2)} (median of ${r.each.map((x) => x.toFixed(2)).join(', ')})`
          : r.median.toFixed(2)
        : 'not measured',
      pass: r ? r.median < 1 : null,
    })
  }
  ratio('full backup', 'full backup faster than restic')
  ratio('restore (local)', 'full restore faster than restic')
  const under = (op: Op, limitMs: number, name: string) => {
    const c = find(ms, 'cairn', op)
    out.push({
      name,
      goal: `< ${limitMs / 1000} s`,
      actual: c
        ? `${secs(c.measured.wallMs)} (op ${secs(c.opMs ?? c.measured.wallMs)})`
        : 'not measured',
      pass: c ? c.measured.wallMs < limitMs : null,
    })
  }
  under('unchanged backup', 1500, 'unchanged backup')
  under('1% change backup', 2500, '~1% change backup')
  {
    const c = find(ms, 'cairn', '1% change backup')
    const up = c && requests(c)
    out.push({
      name: '~1% change uploads at most 2x the changed bytes',
      goal: '<= 2.0x',
      actual:
        up && change
          ? `${mib(up.bytesUp)} for ${mib(change.bytesChanged)} changed = ${(up.bytesUp / change.bytesChanged).toFixed(2)}x`
          : 'not measured',
      pass: up && change ? up.bytesUp <= 2 * change.bytesChanged : null,
    })
  }
  {
    const cairn = all.filter((m) => m.tool === 'cairn')
    const peak = Math.max(0, ...cairn.map((m) => m.measured.maxRssKiB))
    const worst = cairn.find((m) => m.measured.maxRssKiB === peak)
    out.push({
      name: 'peak RSS',
      goal: '< 400 MB',
      actual: cairn.length
        ? `${((peak * 1024) / 1e6).toFixed(0)} MB (${worst?.op})`
        : 'not measured',
      pass: cairn.length ? peak * 1024 < 400e6 : null,
    })
  }
  {
    const backups = ms.filter((m) => m.tool === 'cairn' && m.op.endsWith('backup'))
    let puts = 0
    let bytes = 0
    for (const b of backups) {
      const q = requests(b)
      if (q) {
        puts += q.put
        bytes += q.bytesUp
      }
    }
    const per8 = bytes ? puts / (bytes / (8 * MIB)) : null
    out.push({
      name: 'PUTs per 8 MiB stored (all backups)',
      goal: '<= 1',
      actual: per8 === null ? 'not measured' : `${per8.toFixed(2)} (${puts} PUTs, ${mib(bytes)})`,
      pass: per8 === null ? null : per8 <= 1,
    })
  }
  return out
}

export function targetTable(ts: Target[]): string {
  const rows = ts.map((t) => [
    t.name,
    t.goal,
    t.actual,
    t.pass === null ? '–' : t.pass ? 'PASS' : 'MISS',
  ])
  const head = ['target', 'goal', 'measured', '']
  const all = [head, ...rows]
  const widths = head.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n')
}
