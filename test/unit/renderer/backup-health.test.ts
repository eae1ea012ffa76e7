import { describe, expect, it } from 'vitest'
import { backupHealth, type BackupHealthInput } from '../../../src/renderer/src/lib/backup-health'

const now = Date.parse('2025-06-01T12:00:00Z')
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString()
const input = (patch: Partial<BackupHealthInput>): BackupHealthInput => ({
  state: 'running',
  lastBackupAt: ago(10),
  lastFailureAt: null,
  backupEveryMinutes: undefined,
  now,
  ...patch,
})

describe('backupHealth', () => {
  it('measures age against the default 2-hour schedule when none is known', () => {
    expect(backupHealth(input({ lastBackupAt: ago(180) }))).toBe('fresh')
    expect(backupHealth(input({ lastBackupAt: ago(181) }))).toBe('aging')
    expect(backupHealth(input({ lastBackupAt: ago(360) }))).toBe('aging')
    expect(backupHealth(input({ lastBackupAt: ago(361) }))).toBe('stale')
  })

  it('follows the workspace schedule, and a day when scheduled backups are off', () => {
    expect(backupHealth(input({ lastBackupAt: ago(20), backupEveryMinutes: 10 }))).toBe('aging')
    expect(backupHealth(input({ lastBackupAt: ago(31), backupEveryMinutes: 10 }))).toBe('stale')
    expect(backupHealth(input({ lastBackupAt: ago(20 * 60), backupEveryMinutes: null }))).toBe(
      'fresh',
    )
    expect(backupHealth(input({ lastBackupAt: ago(50 * 60), backupEveryMinutes: null }))).toBe(
      'aging',
    )
    expect(backupHealth(input({ lastBackupAt: ago(80 * 60), backupEveryMinutes: null }))).toBe(
      'stale',
    )
  })

  it('is failed when the newest attempt failed after the newest restore point', () => {
    expect(backupHealth(input({ lastBackupAt: ago(60), lastFailureAt: ago(5) }))).toBe('failed')
    expect(backupHealth(input({ lastBackupAt: null, lastFailureAt: ago(5) }))).toBe('failed')
    // A later success clears it.
    expect(backupHealth(input({ lastBackupAt: ago(1), lastFailureAt: ago(5) }))).toBe('fresh')
  })

  it('keeps a stopped workspace fresh: nothing changes while it is stopped', () => {
    expect(backupHealth(input({ state: 'stopped', lastBackupAt: ago(60 * 24 * 30) }))).toBe('fresh')
  })

  it('says none when there is no restore point and nothing failed', () => {
    expect(backupHealth(input({ lastBackupAt: null }))).toBe('none')
    expect(backupHealth(input({ lastBackupAt: 'not a date' }))).toBe('none')
  })
})
