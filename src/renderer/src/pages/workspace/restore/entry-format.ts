import type { BrowseEntry } from '../../../../../shared/domain/backup'

const TYPE_CHAR: Record<BrowseEntry['type'], string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  fifo: 'p',
  chardev: 'c',
  blockdev: 'b',
  socket: 's',
}

/** `drwxr-xr-x`, as `ls -l` shows it (setuid, setgid and sticky included). */
export function modeString(type: BrowseEntry['type'], mode: number): string {
  const bits = (shift: number, special: boolean, specialChar: string) => {
    const r = mode & (4 << shift) ? 'r' : '-'
    const w = mode & (2 << shift) ? 'w' : '-'
    const x = mode & (1 << shift)
    const last = special ? (x ? specialChar : specialChar.toUpperCase()) : x ? 'x' : '-'
    return r + w + last
  }
  return (
    TYPE_CHAR[type] +
    bits(6, (mode & 0o4000) !== 0, 's') +
    bits(3, (mode & 0o2000) !== 0, 's') +
    bits(0, (mode & 0o1000) !== 0, 't')
  )
}

/** 'a/b' + 'c' -> 'a/b/c'; '' is the top of the restore point. */
export function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name
}

/** The folders of a path, for breadcrumbs: '' then 'a', 'a/b', ... */
export function crumbsOf(path: string): Array<{ name: string; path: string }> {
  const crumbs = [{ name: '', path: '' }]
  let at = ''
  for (const part of path.split('/').filter(Boolean)) {
    at = joinPath(at, part)
    crumbs.push({ name: part, path: at })
  }
  return crumbs
}

/** Folders first, then by name (the core sorts by name bytes). */
export function sortEntries(entries: readonly BrowseEntry[]): BrowseEntry[] {
  return [...entries].sort(
    (a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || (a.name < b.name ? -1 : 1),
  )
}

/** What a path of the restore point is called in sentences. */
export function describeSelection(path: string, type: 'file' | 'dir'): string {
  if (!path) return 'the whole restore point'
  return type === 'dir' ? `the folder ${path}` : `the file ${path}`
}

/** Full-date modification time for the list: "23 Nov 2026, 14:05". */
const mtimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
})
export function formatMtime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '—' : mtimeFormat.format(date)
}
