/** Human formats for the CLI's text output (JSON output carries raw numbers instead). */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${value} B`
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${UNITS[unit]}`
}

export function formatRate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '' : `${formatBytes(bytesPerSecond)}/s`
}

/** 0:42, 12:03, 1:02:03 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

/** ISO time as local "YYYY-MM-DD HH:MM:SS" (what people compare with their clock). */
export function formatTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** `rwxr-xr-x` with setuid/setgid/sticky, like ls. */
export function formatMode(type: string, mode: number): string {
  const t =
    { dir: 'd', symlink: 'l', fifo: 'p', chardev: 'c', blockdev: 'b', socket: 's' }[type] ?? '-'
  const bit = (mask: number, char: string) => (mode & mask ? char : '-')
  let out = t
  out += bit(0o400, 'r') + bit(0o200, 'w')
  out += mode & 0o4000 ? (mode & 0o100 ? 's' : 'S') : bit(0o100, 'x')
  out += bit(0o40, 'r') + bit(0o20, 'w')
  out += mode & 0o2000 ? (mode & 0o10 ? 's' : 'S') : bit(0o10, 'x')
  out += bit(0o4, 'r') + bit(0o2, 'w')
  out += mode & 0o1000 ? (mode & 0o1 ? 't' : 'T') : bit(0o1, 'x')
  return out
}

/** Rows of cells as aligned columns; `right` lists the columns to right-align. */
export function table(rows: string[][], right: number[] = []): string {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          if (i === row.length - 1 && !right.includes(i)) return cell
          return right.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)
        })
        .join('  '),
    )
    .join('\n')
}
