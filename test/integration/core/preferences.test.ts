import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dispatch } from '../../../src/main/core/api/dispatch'
import { createCore } from '../../../src/main/core/app'
import { MemorySecretStore } from '../../../src/main/core/secrets/memory-secret-store'
import { startHarness, type Harness } from './core-harness'

/** Desktop preferences (notification level, launch at login) through dispatch, as the UI sets them. */
describe('settings.setPreferences', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it('starts from the defaults', async () => {
    const got = await h.call('settings.get', {})
    expect(got).toMatchObject({
      ok: true,
      output: { preferences: { notificationLevel: 'all', launchAtLogin: false } },
    })
  })

  it('changes only the given preference, writes settings.json and publishes settings.changed', async () => {
    const set = await h.call('settings.setPreferences', { notificationLevel: 'problems' })
    expect(set).toMatchObject({
      ok: true,
      output: { preferences: { notificationLevel: 'problems', launchAtLogin: false } },
    })
    const second = await h.call('settings.setPreferences', { launchAtLogin: true })
    expect(second).toMatchObject({
      ok: true,
      output: { preferences: { notificationLevel: 'problems', launchAtLogin: true } },
    })

    const onDisk = JSON.parse(await readFile(join(h.dataDir, 'settings.json'), 'utf8')) as {
      preferences: unknown
    }
    expect(onDisk.preferences).toEqual({
      notificationLevel: 'problems',
      launchAtLogin: true,
      defaultIdleTimeoutMinutes: 30,
    })

    const changes = h.events.filter((e) => e.event === 'settings.changed')
    expect(changes).toHaveLength(2)
    expect(changes[1]?.payload).toMatchObject({
      preferences: { notificationLevel: 'problems', launchAtLogin: true },
    })

    // A new core on the same data directory reads them back.
    const again = await createCore({
      dataDir: h.dataDir,
      host: 'headless',
      version: '0.0.0-test',
      secrets: new MemorySecretStore(),
    })
    try {
      const view = await dispatch(again.handlers, 'settings.get', {}, { host: 'headless' })
      expect(view).toMatchObject({
        ok: true,
        output: { preferences: { notificationLevel: 'problems', launchAtLogin: true } },
      })
    } finally {
      await again.dispose()
    }
  })

  it('keeps the default idle timeout for new workspaces, null for off', async () => {
    expect(
      await h.call('settings.setPreferences', { defaultIdleTimeoutMinutes: 90 }),
    ).toMatchObject({
      ok: true,
      output: { preferences: { defaultIdleTimeoutMinutes: 90, launchAtLogin: false } },
    })
    expect(
      await h.call('settings.setPreferences', { defaultIdleTimeoutMinutes: null }),
    ).toMatchObject({ ok: true, output: { preferences: { defaultIdleTimeoutMinutes: null } } })
    const onDisk = JSON.parse(await readFile(join(h.dataDir, 'settings.json'), 'utf8')) as {
      preferences: { defaultIdleTimeoutMinutes: unknown }
    }
    expect(onDisk.preferences.defaultIdleTimeoutMinutes).toBeNull()
  })

  it('refuses bad input and changes nothing', async () => {
    const before = await readFile(join(h.dataDir, 'settings.json'), 'utf8').catch(() => null)
    for (const input of [
      { notificationLevel: 'loud' },
      { launchAtLogin: 'yes' },
      { notificationLevel: 'all', theme: 'dark' },
      { notificationLevel: 5 },
      { defaultIdleTimeoutMinutes: 3 },
      { defaultIdleTimeoutMinutes: 7 * 24 * 60 + 1 },
      { defaultIdleTimeoutMinutes: 12.5 },
    ]) {
      const result = await h.call('settings.setPreferences', input)
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
    expect(await readFile(join(h.dataDir, 'settings.json'), 'utf8').catch(() => null)).toBe(before)
    expect(h.events.filter((e) => e.event === 'settings.changed')).toEqual([])
  })
})
