import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ActivityPage } from './pages/activity-page'
import { hasText, hidden, visible } from './pages/expect'
import { OnboardingPage, type OnboardingStepName } from './pages/onboarding-page'
import { RestorePointPanel } from './pages/restore-point-panel'
import { SettingsPage } from './pages/settings-page'
import { WorkspaceDetailPage } from './pages/workspace-detail-page'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { failCalls } from './support/fail-calls'
import { auditKeyboard, auditScreen } from './support/quality-audit'

/**
 * The quality audit (docs/ui.md, "Quality checks"): one state with real data (storage, repository,
 * a running workspace with restore points, a stopped one), then every screen and major dialog at
 * 1024x700 and 1280x800, light and dark: no sideways scrolling, nothing sticking out, every control
 * named, unique ids, text alternatives, readable contrast, and a visible focus that Tab moves
 * through. To audit a new screen, add it to `screens` with how to reach it.
 */
const e2e = useE2E()
let storageDir = ''
const running = 'q-running'
const stopped = 'q-stopped'
const ids: Record<string, string> = {}

interface Screen {
  name: string
  /** From a freshly loaded app (Workspaces screen) to the screen, waiting until it is there. */
  reach(page: Page): Promise<void>
  /** Puts things back after the audit, for a screen that started something. */
  leave?(page: Page): Promise<void>
}

const creating = 'q-creating'

const settingsTab =
  (tab: 'Cloud & storage' | 'Backups' | 'General' | 'Security') => async (page: Page) => {
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.tab(tab)
  }

const onboardingStep = (step: OnboardingStepName, backs: number) => async (page: Page) => {
  const settings = new SettingsPage(page)
  await settings.open()
  await settings.tab('General')
  await page.getByRole('button', { name: 'Guided setup' }).click()
  const onboarding = new OnboardingPage(page)
  await onboarding.expectStep('workspace')
  for (let i = 0; i < backs; i++) await onboarding.back()
  await onboarding.expectStep(step)
}

const detail = (name: string) => async (page: Page) => {
  await visible(new WorkspacesPage(page).workspace(name))
  const page_ = new WorkspaceDetailPage(page)
  await page_.openFromList(name)
  await visible(page_.points.first(), 30_000)
}

const screens: Screen[] = [
  {
    name: 'Workspaces list',
    reach: async (page) => {
      const list = new WorkspacesPage(page)
      await visible(list.workspace(running))
      await visible(list.workspace(stopped))
      await visible(list.totals)
    },
  },
  {
    name: 'Create form with its checks',
    reach: async (page) => {
      const list = new WorkspacesPage(page)
      await list.openCreateForm()
      await list.fillCreate({ name: 'q-new' })
      expect(await list.checkCreate()).toBe('ok')
    },
  },
  {
    name: 'Create form refusing bad input',
    reach: async (page) => {
      const list = new WorkspacesPage(page)
      await list.openCreateForm()
      await list.fillCreate({ name: 'Not a name!', paths: 'relative/path' })
      expect(await list.checkCreate()).toBe('invalid')
    },
  },
  { name: 'Workspace detail (running)', reach: detail(running) },
  { name: 'Workspace detail (stopped)', reach: detail(stopped) },
  {
    name: 'Start dialog',
    reach: async (page) => {
      await detail(stopped)(page)
      const page_ = new WorkspaceDetailPage(page)
      await page_.startFrom(page_.points.first())
    },
  },
  {
    name: 'Delete confirmation',
    reach: async (page) => {
      await detail(running)(page)
      await new WorkspaceDetailPage(page).openDelete()
    },
  },
  {
    name: 'Restore point panel',
    reach: async (page) => {
      const panel = new RestorePointPanel(page)
      await panel.openFromList(running)
      await visible(panel.root.getByTestId('restore-entry'))
    },
  },
  {
    name: 'Restore dialog',
    reach: async (page) => {
      const panel = new RestorePointPanel(page)
      await panel.openFromList(running)
      await visible(panel.root.getByTestId('restore-entry'))
      await panel.restoreHere()
      await panel.choose('folder')
    },
  },
  {
    name: 'Restore confirmation',
    reach: async (page) => {
      const panel = new RestorePointPanel(page)
      await panel.openFromList(running)
      await visible(panel.root.getByTestId('restore-entry'))
      await panel.restoreHere()
      await panel.choose('folder')
      await panel.fillFolder(storageDir + '-restore')
      await panel.review()
      await panel.facts()
    },
  },
  {
    name: 'Activity, filtered',
    reach: async (page) => {
      const activity = new ActivityPage(page)
      await activity.open()
      await visible(activity.jobs)
      await activity.filter('Kind', 'backup')
      await activity.filter('Outcome', 'succeeded')
      await visible(activity.jobs)
    },
  },
  {
    name: 'Activity, nothing matching',
    reach: async (page) => {
      const activity = new ActivityPage(page)
      await activity.open()
      await visible(activity.jobs)
      await activity.search('nothing-is-called-this')
      await hasText(activity.count, /^0 /)
    },
  },
  { name: 'Settings: Cloud & storage', reach: settingsTab('Cloud & storage') },
  { name: 'Settings: Backups', reach: settingsTab('Backups') },
  { name: 'Settings: General', reach: settingsTab('General') },
  { name: 'Settings: Security', reach: settingsTab('Security') },
  {
    name: 'Settings: Security, rotating the master key',
    reach: async (page) => {
      await settingsTab('Security')(page)
      await page.getByRole('button', { name: 'Rotate master key…' }).click()
      await visible(page.getByRole('button', { name: 'Cancel' }))
    },
  },
  {
    // Last of the list pages: it adds a workspace. The server is held "initializing" at Hetzner.
    name: 'Workspaces list, a create running',
    reach: async (page) => {
      await e2e.hetzner.control.holdInitializing(1, e2e.hetzner.project.id)
      const list = new WorkspacesPage(page)
      await list.openCreateForm()
      await list.fillCreate({ name: creating })
      await list.submitCreate()
      await visible(list.createProgress.getByRole('progressbar'))
      await hasText(list.createProgress.getByTestId('job-progress'), /Waiting for the server/)
    },
    leave: async (page) => {
      const held = await e2e.hetzner.control.vms(e2e.hetzner.project.id)
      for (const vm of held.filter((v) => v.status === 'initializing'))
        await e2e.hetzner.control.release(vm.serverId, e2e.hetzner.project.id)
      await new WorkspacesPage(page).expectState(creating, 'running')
      const made = (await e2e.call('workspaces.list', {})).workspaces.find(
        (w) => w.name === creating,
      )
      if (made) ids[creating] = made.id
    },
  },
  { name: 'Onboarding: first workspace', reach: onboardingStep('workspace', 0) },
  { name: 'Onboarding: servers', reach: onboardingStep('compute', 1) },
  { name: 'Onboarding: recovery key', reach: onboardingStep('keys', 2) },
  { name: 'Onboarding: storage', reach: onboardingStep('storage', 3) },
  { name: 'Onboarding: welcome', reach: onboardingStep('welcome', 4) },
]

/** Screens whose data can fail to load: the call that fails, and what the screen must say. */
interface ErrorState {
  name: string
  method: string
  reach(page: Page): Promise<void>
  title: string
}

const errorStates: ErrorState[] = [
  {
    name: 'Workspaces list',
    method: 'workspaces.list',
    reach: async () => {},
    title: 'Could not load the workspaces',
  },
  {
    name: 'Activity',
    method: 'jobs.list',
    reach: (page) => new ActivityPage(page).open(),
    title: 'Could not load the activity list',
  },
  {
    name: 'Settings: storage costs',
    method: 'storage.costs',
    reach: settingsTab('Cloud & storage'),
    title: 'Could not read the storage costs',
  },
  {
    name: 'Settings: schedules',
    method: 'schedules.status',
    reach: settingsTab('Backups'),
    title: 'Could not load the schedules',
  },
  {
    name: 'Restore point files',
    method: 'restorePoints.browse',
    reach: async (page) => {
      const panel = new RestorePointPanel(page)
      await panel.openFromList(running)
    },
    title: 'The files could not be listed',
  },
]

/** Screens that wait for data: the call held back, and the skeleton's label meanwhile. */
interface LoadingState {
  name: string
  method: string
  reach(page: Page): Promise<void>
  label: string
}

const loadingStates: LoadingState[] = [
  {
    name: 'Workspaces list',
    method: 'workspaces.list',
    reach: async () => {},
    label: 'Loading workspaces',
  },
  {
    name: 'Activity',
    method: 'jobs.list',
    reach: (page) => new ActivityPage(page).open(),
    label: 'Loading activity',
  },
  {
    name: 'Settings: schedules',
    method: 'schedules.status',
    reach: settingsTab('Backups'),
    label: 'Loading schedules',
  },
  {
    name: 'Workspace detail: restore points',
    method: 'restorePoints.list',
    reach: async (page) => {
      await visible(new WorkspacesPage(page).workspace(running))
      await page
        .locator(`[data-testid="workspace"][data-name="${running}"]`)
        .getByTestId('workspace-open')
        .click()
    },
    label: 'Loading restore points',
  },
  {
    name: 'Restore point files',
    method: 'restorePoints.browse',
    reach: (page) => new RestorePointPanel(page).openFromList(running),
    label: 'Listing the files',
  },
]

// CAIRN_QUALITY_SHOTS=1: a picture of every screen at every size and theme, to look at.
const SHOTS =
  process.env.CAIRN_QUALITY_SHOTS === '1' ? join(process.cwd(), 'test-results', 'quality') : null
const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

const sizes = [
  { width: 1024, height: 700 },
  { width: 1280, height: 800 },
]
const schemes = ['light', 'dark'] as const

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-quality-storage-'))
  await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
  await e2e.call('storage.save', { config: { kind: 'folder', path: storageDir } })
  await e2e.call('repository.init', {})
  const created = await Promise.all(
    [running, stopped].map((name) =>
      e2e.call('workspaces.create', { name, location: 'fsn1', serverType: 'cx22' }),
    ),
  )
  for (const job of created) {
    const done = await e2e.core.services.jobs.wait(job.id)
    expect(done.error?.message ?? null).toBeNull()
  }
  for (const w of (await e2e.call('workspaces.list', {})).workspaces) ids[w.name] = w.id
  for (const name of [running, running, stopped]) {
    const job = await e2e.call('workspaces.backup', { id: ids[name]! })
    expect((await e2e.core.services.jobs.wait(job.id)).state).toBe('succeeded')
  }
  const stop = await e2e.call('workspaces.stop', { id: ids[stopped]! })
  expect((await e2e.core.services.jobs.wait(stop.id)).state).toBe('succeeded')
}, 240_000)

afterAll(async () => {
  for (const [name, id] of Object.entries(ids)) {
    const job = await e2e.call('workspaces.delete', { id, confirmName: name }).catch(() => null)
    if (job) await e2e.core.services.jobs.wait(job.id)
  }
  await rm(storageDir, { recursive: true, force: true })
})

describe('Quality of every screen', () => {
  it('holds at 1024x700 and 1280x800, light and dark: layout, names, ids, contrast, focus', async () => {
    const page = await e2e.open()
    const findings: Record<string, string[]> = {}
    for (const screen of screens) {
      await page.setViewportSize(sizes[1]!)
      await page.emulateMedia({ colorScheme: 'light' })
      await page.reload()
      await visible(page.locator('html[data-onboarding-gate="skipped"]'))
      await screen.reach(page)
      // Each finding once, with the sizes and themes it was seen in.
      const found = new Map<string, string[]>()
      const note = (line: string, where: string) =>
        found.set(line, [...(found.get(line) ?? []), where])
      for (const size of sizes) {
        for (const scheme of schemes) {
          await page.setViewportSize(size)
          await page.emulateMedia({ colorScheme: scheme })
          if (SHOTS)
            await page.screenshot({
              path: join(SHOTS, `${slug(screen.name)}-${size.width}-${scheme}.png`),
            })
          for (const line of await auditScreen(page))
            note(line, `${size.width}x${size.height} ${scheme}`)
        }
      }
      // The keyboard once per screen, at the smallest size (where things most likely hide).
      await page.setViewportSize(sizes[0]!)
      for (const line of await auditKeyboard(page)) note(line, 'keyboard')
      await screen.leave?.(page)
      if (found.size > 0)
        findings[screen.name] = [...found].map(([line, where]) => `${line} [${where.join(', ')}]`)
    }
    expect(findings).toEqual({})
    expect(pageErrors(page)).toEqual([])
  }, 180_000)

  it('says why data could not be loaded, and loads it on Retry', async () => {
    const page = await e2e.open({ colorScheme: 'dark', viewport: sizes[0] })
    const failing = { methods: new Set<string>() }
    await failCalls(page, failing)
    const findings: Record<string, string[]> = {}
    for (const state of errorStates) {
      failing.methods = new Set([state.method])
      await page.reload()
      await visible(page.locator('html[data-onboarding-gate]'))
      await state.reach(page)
      const panel = page.getByRole('alert').filter({ hasText: state.title })
      await hasText(panel, 'The storage did not answer')
      const found = await auditScreen(page)
      if (found.length > 0) findings[state.name] = found
      failing.methods = new Set()
      await panel.getByRole('button', { name: 'Retry' }).click()
      await hidden(panel)
    }
    expect(findings).toEqual({})
    expect(pageErrors(page)).toEqual([])
  }, 90_000)

  it('shows what it is waiting for while data loads', async () => {
    const page = await e2e.open({ colorScheme: 'dark', viewport: sizes[0] })
    const calls = { methods: new Set<string>(), hold: new Set<string>() }
    const control = await failCalls(page, calls)
    const findings: Record<string, string[]> = {}
    for (const state of loadingStates) {
      calls.hold = new Set([state.method])
      // (No wait for the onboarding gate: it waits for the workspaces, which may be held.)
      await page.reload()
      await state.reach(page)
      const skeleton = page.locator('.skeleton').filter({ hasText: state.label })
      await visible(skeleton)
      const found = await auditScreen(page)
      if (found.length > 0) findings[state.name] = found
      calls.hold = new Set()
      control.release()
      await hidden(skeleton)
    }
    expect(findings).toEqual({})
    expect(pageErrors(page)).toEqual([])
  }, 90_000)
})
