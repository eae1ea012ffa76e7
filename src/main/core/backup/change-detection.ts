import type { ChangeKey, TreeEntry } from '../repo/tree/tree-entry'
import type { SourceEntry } from './source'
import type { ChangeDetection } from './types'

const NS = 1_000_000_000n

export interface SplitTime {
  sec: number
  nsec: number
}

/** Seconds and nanoseconds (0 <= ns < 1e9) of a time in nanoseconds, also before 1970. */
export function splitNs(ns: bigint): SplitTime {
  let sec = ns / NS
  let rem = ns % NS
  if (rem < 0n) {
    sec -= 1n
    rem += NS
  }
  return { sec: Number(sec), nsec: Number(rem) }
}

export function changeKeyOf(entry: SourceEntry): ChangeKey {
  const ctime = splitNs(entry.ctimeNs)
  return { ctimeSec: ctime.sec, ctimeNsec: ctime.nsec, device: entry.dev, inode: entry.inode }
}

/**
 * Whether a listed file is the same as its entry in the parent restore point, so its content can
 * be reused without reading it: same type, size, mtime (ns) and mode, and in strict mode the same
 * ctime (ns), device and inode. An entry the parent marked as changed while reading, or recorded
 * without a change key, is always read again.
 */
export function isUnchanged(
  entry: SourceEntry,
  old: TreeEntry,
  mode: ChangeDetection,
  mtime: SplitTime = splitNs(entry.mtimeNs),
): boolean {
  if (old.type !== 'file' || entry.type !== 'file') return false
  if (old.size !== entry.size || old.mode !== entry.mode || old.changedWhileReading) return false
  if (old.mtimeSec !== mtime.sec || old.mtimeNsec !== mtime.nsec) return false
  if (mode === 'mtime') return true
  const key = old.changeKey
  if (!key || key.inode !== entry.inode || key.device !== entry.dev) return false
  const ctime = splitNs(entry.ctimeNs)
  return key.ctimeSec === ctime.sec && key.ctimeNsec === ctime.nsec
}
