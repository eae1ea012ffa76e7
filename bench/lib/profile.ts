/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`) of the bundled Cairn child: self time by
 * function and by source file. The bundle is not minified, and esbuild marks where each module
 * starts with a `// path/to/file.ts` comment, so a bundle line maps back to its source file.
 *
 * V8 profiles JavaScript threads (the main thread and each worker thread, one file each); work on
 * the libuv pool (async zlib, fs, crypto) shows up in the process's CPU time, not here.
 */
import { readFile } from 'node:fs/promises'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface ProfileSummary {
  totalMs: number
  idleMs: number
  gcMs: number
  topFunctions: { name: string; file: string; selfMs: number; share: number }[]
  topFiles: { file: string; selfMs: number; share: number }[]
}

/** For each bundle line (0-based), the source module it came from. */
export async function bundleModuleMap(bundleFile: string): Promise<(line: number) => string> {
  const lines = (await readFile(bundleFile, 'utf8')).split('\n')
  const starts: { line: number; file: string }[] = []
  lines.forEach((text, i) => {
    const m = /^\/\/ ((?:src|bench|cloud|node_modules)\/\S+)$/.exec(text)
    if (m) starts.push({ line: i, file: m[1] as string })
  })
  return (line) => {
    let lo = 0
    let hi = starts.length - 1
    let found = 'bundle'
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const s = starts[mid] as { line: number; file: string }
      if (s.line <= line) {
        found = s.file
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
}

export async function summarizeProfile(
  file: string,
  bundleFile: string,
  moduleOf?: (line: number) => string,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const map = moduleOf ?? (await bundleModuleMap(bundleFile))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  )
  const byFunction = new Map<string, { name: string; file: string; us: number }>()
  const byFile = new Map<string, number>()
  let total = 0
  let idle = 0
  let gc = 0
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0
    if (!us) continue
    total += us
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') idle += us
    if (functionName === '(garbage collector)') gc += us
    let where: string
    if (url.includes('/cairn-bench/cairn-op-')) where = map(lineNumber)
    else if (url.startsWith('node:')) where = url
    else if (url.includes('/node_modules/'))
      where = 'node_modules/' + url.split('/node_modules/').pop()
    else where = url || '(native)'
    const name = functionName || '(anonymous)'
    const key = `${name}\0${where}`
    const entry = byFunction.get(key) ?? { name, file: where, us: 0 }
    entry.us += us
    byFunction.set(key, entry)
    byFile.set(where, (byFile.get(where) ?? 0) + us)
  }
  const ms = (us: number) => Math.round(us / 100) / 10
  return {
    totalMs: ms(total),
    idleMs: ms(idle),
    gcMs: ms(gc),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 15)
      .map((f) => ({ name: f.name, file: f.file, selfMs: ms(f.us), share: f.us / total })),
    topFiles: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([f, us]) => ({ file: f, selfMs: ms(us), share: us / total })),
  }
}

export function formatProfile(title: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  const lines = [
    `${title}: ${(s.totalMs / 1000).toFixed(2)} s sampled, idle ${(s.idleMs / 1000).toFixed(2)} s, GC ${(s.gcMs / 1000).toFixed(2)} s`,
    '  top functions (self time):',
    ...s.topFunctions.map(
      (f) =>
        `    ${pct(f.share).padStart(6)} ${String(f.selfMs).padStart(8)} ms  ${f.name}  (${f.file})`,
    ),
    '  by source file (self time):',
    ...s.topFiles.map(
      (f) => `    ${pct(f.share).padStart(6)} ${String(f.selfMs).padStart(8)} ms  ${f.file}`,
    ),
  ]
  return lines.join('\n')
}
