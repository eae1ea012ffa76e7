import type { RestorePoint } from '../../../../shared/domain/backup'

/** How the timeline names what made a restore point. */
export const triggerLabels: Record<RestorePoint['trigger'], string> = {
  manual: 'Back up now',
  schedule: 'Scheduled',
  stop: 'Stop',
  idle: 'Auto-stop',
  'before-restore': 'Before a restore',
  cli: 'Command line',
}

export function shortId(id: string): string {
  return id.slice(0, 8)
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`
}
