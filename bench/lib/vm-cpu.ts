/**
 * CPU time spent on the VM side of a pull backup or SSH restore (sshd, find, stat, tar), which
 * Cairn's own process does not include. A fake VM is a process tree under one `unshare` on this
 * machine. A finished process's CPU time is added to the "children" time of whoever reaps it
 * (its parent, or the VM's init for orphans), so the sum of utime+stime+cutime+cstime over the
 * tree's live processes counts every process of the VM exactly once, finished ones included.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

const TICK_MS = 10 // USER_HZ is 100 on Linux

interface ProcStat {
  pid: number
  ppid: number
  ticks: number
}

async function readStat(pid: string): Promise<ProcStat | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // After "(comm) ": state is field 3; ppid 4; utime, stime, cutime, cstime 14..17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0)
    return { pid: Number(pid), ppid: Number(f[1]), ticks }
  } catch {
    return null
  }
}

async function vmInit(vmDir: string): Promise<number | null> {
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const text = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0')
    if (text[0] === 'unshare' || text[0]?.endsWith('/unshare')) {
      if (text.some((a) => a.startsWith(vmDir + '/'))) return Number(name)
    }
  }
  return null
}

/** A reader of the VM's accumulated CPU time (ms), or null when its process tree is not found. */
export async function vmCpuMeter(homeDir: string): Promise<(() => Promise<number>) | null> {
  const vmDir = path.resolve(homeDir, '../..')
  const root = await vmInit(vmDir)
  if (root === null) return null
  return async () => {
    const all = (
      await Promise.all((await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(readStat))
    ).filter((s): s is ProcStat => s !== null)
    const children = new Map<number, ProcStat[]>()
    for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s])
    let ticks = 0
    const walk = (pid: number) => {
      for (const c of children.get(pid) ?? []) {
        ticks += c.ticks
        walk(c.pid)
      }
    }
    ticks += all.find((s) => s.pid === root)?.ticks ?? 0
    walk(root)
    return ticks * TICK_MS
  }
}
