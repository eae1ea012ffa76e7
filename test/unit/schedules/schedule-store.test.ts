import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { effectiveSettings } from '../../../src/main/core/schedules/effective-settings'
import { DEFAULT_RETENTION } from '../../../src/main/core/retention/policy'
import {
  retentionDefaultsOf,
  SCHEDULES_FILE,
  scheduleDefaultsOf,
  ScheduleStore,
} from '../../../src/main/core/schedules/schedule-store'

describe('schedule store', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-schedules-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates an entry the first time a workspace is seen, with the clock as its start', async () => {
    const store = new ScheduleStore(dir, () => Date.parse('2026-01-01T10:00:00Z'))
    const entry = await store.get('ws-a')
    expect(entry).toEqual({
      since: '2026-01-01T10:00:00.000Z',
      lastBackup: null,
      lastVerify: null,
      lastRetention: null,
    })
    // Saved, so a restart keeps the same first slot.
    const again = new ScheduleStore(dir, () => Date.parse('2027-01-01T00:00:00Z'))
    expect((await again.get('ws-a')).since).toBe('2026-01-01T10:00:00.000Z')
  })

  it('writes atomically (no temp file left) and reads its own file back', async () => {
    const store = new ScheduleStore(dir)
    const changes: string[] = []
    store.onChange((id) => changes.push(id))
    await Promise.all([
      store.update('ws-a', (e) => {
        e.backupEveryMinutes = 60
      }),
      store.update('ws-a', (e) => {
        e.verifyEveryHours = null
      }),
      store.update('ws-b', (e) => {
        e.retention = { keepLast: 3 }
      }),
    ])
    expect(changes).toEqual(['ws-a', 'ws-a', 'ws-b'])
    expect(await readdir(dir)).toEqual([SCHEDULES_FILE])
    const doc = JSON.parse(await readFile(join(dir, SCHEDULES_FILE), 'utf8'))
    expect(doc.schemaVersion).toBe(2)
    expect(doc.workspaces['ws-a']).toMatchObject({ backupEveryMinutes: 60, verifyEveryHours: null })
    const fresh = new ScheduleStore(dir)
    expect(await fresh.get('ws-b')).toMatchObject({ retention: { keepLast: 3 } })
    await fresh.remove('ws-b')
    expect(await new ScheduleStore(dir).peek('ws-b')).toBeNull()
  })

  it('refuses a file written by a newer Cairn and leaves it untouched', async () => {
    const path = join(dir, SCHEDULES_FILE)
    const newer = JSON.stringify({ schemaVersion: 3, workspaces: {}, somethingNew: true })
    await writeFile(path, newer)
    const store = new ScheduleStore(dir)
    await expect(store.get('ws-a')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/newer Cairn/),
    })
    await expect(store.update('ws-a', () => {})).rejects.toMatchObject({ code: 'conflict' })
    expect(await readFile(path, 'utf8')).toBe(newer)
  })

  it('a damaged file is an error that says what to do', async () => {
    await writeFile(join(dir, SCHEDULES_FILE), '{not json')
    await expect(new ScheduleStore(dir).get('ws-a')).rejects.toThrow(/damaged.*Move it aside/)
  })

  it('a change that does not validate is not saved', async () => {
    const store = new ScheduleStore(dir)
    await store.update('ws-a', (e) => {
      e.backupEveryMinutes = 30
    })
    await expect(
      store.update('ws-a', (e) => {
        ;(e as { backupEveryMinutes: unknown }).backupEveryMinutes = 'often'
      }),
    ).rejects.toThrow()
    expect((await new ScheduleStore(dir).get('ws-a')).backupEveryMinutes).toBe(30)
    expect((await store.get('ws-a')).backupEveryMinutes).toBe(30)
  })

  it('reads a version 1 file (before defaults) and follows the built-in defaults', async () => {
    const v1 = {
      schemaVersion: 1,
      workspaces: {
        'ws-a': { since: '2026-01-01T10:00:00.000Z', backupEveryMinutes: 45, lastBackup: null },
      },
    }
    await writeFile(join(dir, SCHEDULES_FILE), JSON.stringify(v1))
    const store = new ScheduleStore(dir)
    expect(await store.defaults()).toEqual({})
    const entry = await store.get('ws-a')
    expect(entry.backupEveryMinutes).toBe(45)
    expect(scheduleDefaultsOf(await store.defaults())).toEqual({
      backupEveryMinutes: 120,
      verifyEveryHours: 168,
      applyRetention: true,
    })
    expect(retentionDefaultsOf(await store.defaults(), DEFAULT_RETENTION)).toEqual(
      DEFAULT_RETENTION,
    )
  })

  it('keeps defaults in the file; the own values of a workspace (null too) beat them', async () => {
    const store = new ScheduleStore(dir)
    let told = 0
    store.onDefaultsChange(() => told++)
    await store.update('ws-own', (e) => {
      e.backupEveryMinutes = null
    })
    await store.updateDefaults((d) => {
      d.backupEveryMinutes = 30
      d.applyRetention = false
      d.retention = { keepLast: 3 }
    })
    expect(told).toBe(1)
    const doc = JSON.parse(await readFile(join(dir, SCHEDULES_FILE), 'utf8'))
    expect(doc).toMatchObject({
      schemaVersion: 2,
      defaults: { backupEveryMinutes: 30, applyRetention: false, retention: { keepLast: 3 } },
    })
    const fresh = new ScheduleStore(dir)
    const defaults = scheduleDefaultsOf(await fresh.defaults())
    expect(defaults).toEqual({
      backupEveryMinutes: 30,
      verifyEveryHours: 168,
      applyRetention: false,
    })
    expect(effectiveSettings('ws-new', await fresh.get('ws-new'), defaults)).toEqual({
      workspaceId: 'ws-new',
      backupEveryMinutes: 30,
      verifyEveryHours: 168,
      applyRetention: false,
    })
    expect(
      effectiveSettings('ws-own', await fresh.get('ws-own'), defaults).backupEveryMinutes,
    ).toBe(null)
    expect(retentionDefaultsOf(await fresh.defaults(), DEFAULT_RETENTION)).toEqual({
      ...DEFAULT_RETENTION,
      keepLast: 3,
    })
    await expect(
      fresh.updateDefaults((d) => {
        ;(d as { verifyEveryHours: unknown }).verifyEveryHours = 'weekly'
      }),
    ).rejects.toThrow()
    expect(scheduleDefaultsOf(await new ScheduleStore(dir).defaults())).toEqual(defaults)
  })
})
