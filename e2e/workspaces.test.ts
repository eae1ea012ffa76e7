import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { WorkspaceView } from '../src/shared/domain/workspace'
import { hasText, hidden, visible } from './pages/expect'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { CallSpy } from './support/ws-spy'

/**
 * The workspace cycle driven through the UI in Chromium: the real core and headless host, the
 * local cloud's fake Hetzner (servers are real sshd), a folder as storage. Files go in and come
 * back over the real `ssh cairn-<name>` with the ssh config Cairn writes (under a temp HOME).
 */
const e2e = useE2E()
let storageDir = ''
const userSshConfig = join(homedir(), '.ssh', 'config')
let userSshConfigBefore: Buffer | null = null

beforeAll(async () => {
  // Onboarding through the API, as a user leaves it: token, storage, repository.
  userSshConfigBefore = await readFile(userSshConfig).catch(() => null)
  storageDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-ws-storage-'))
  await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
  await e2e.call('storage.save', { config: { kind: 'folder', path: storageDir } })
  await e2e.call('repository.init', {})
})
afterAll(async () => {
  await rm(storageDir, { recursive: true, force: true })
})
// A test that failed midway leaves its workspace and faults behind; the next starts clean.
afterEach(async () => {
  await e2e.hetzner.control.clearFaults(e2e.hetzner.project.id)
  for (const ws of (await e2e.call('workspaces.list', {})).workspaces) {
    for (const job of e2e.core.services.jobs.list()) {
      if (job.workspaceId === ws.id && (job.state === 'running' || job.state === 'queued'))
        await e2e.core.services.jobs.wait(job.id)
    }
    const job = await e2e.call('workspaces.delete', { id: ws.id, confirmName: ws.name })
    await e2e.core.services.jobs.wait(job.id)
  }
})

/** Runs `ssh -F <Cairn's ssh config> cairn-<name> <command>` with `input` on stdin. */
function ssh(alias: string, command: string, input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ssh',
      ['-F', e2e.sshConfig, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', alias, command],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: e2e.home }, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`ssh ${alias} ${command}: ${error.message} ${String(stderr)}`))
        else resolve(stdout)
      },
    )
    child.stdin?.end(input ?? Buffer.alloc(0))
  })
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

async function listed(name: string): Promise<WorkspaceView | undefined> {
  return (await e2e.call('workspaces.list', {})).workspaces.find((w) => w.name === name)
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name))
}

async function servers(): Promise<{ serverId: number; status: string }[]> {
  return e2e.hetzner.control.vms(e2e.hetzner.project.id)
}

describe('Workspaces', () => {
  it('shows an empty list, and checks the create form in the page before any call', async () => {
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await workspaces.expectEmpty()
    await workspaces.expectChecked()
    expect(await page.getByTestId('reconcile-problem').count()).toBe(0)
    await screenshot(page, 'workspaces-empty')

    const spy = new CallSpy(page)
    await workspaces.openCreateForm()
    await workspaces.fillCreate({ name: 'My_Box', idleMinutes: '2', paths: 'home/dev' })
    await workspaces.submitCreate()
    expect(await workspaces.fieldError('Name')).toMatch(/^A workspace name is lowercase letters/)
    expect(await workspaces.fieldError('Auto-stop when idle')).toMatch(/^Enter whole minutes/)
    expect(await workspaces.fieldError('Folders to keep')).toMatch(/not an absolute path/)
    // The price of the chosen type is shown with the form.
    await hasText(workspaces.createForm.getByTestId('create-price'), /€[\d.]+\/h, at most €/)
    await screenshot(page, 'workspace-create-invalid', workspaces.createForm)
    expect(spy.count('workspaces.create')).toBe(0)
    // Every field has a label the browser knows about.
    const unlabelled =
      await page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
      .filter((i) => i.type !== 'hidden' && i.labels.length === 0 && !i.getAttribute('aria-label'))
      .map((i) => i.name)`)
    expect(unlabelled).toEqual([])

    // Errors clear as they are fixed.
    await workspaces.fillCreate({ name: 'my-box' })
    await expect.poll(() => workspaces.field('Name').getAttribute('aria-invalid')).toBe('false')
    await workspaces.createForm.getByRole('button', { name: 'Cancel' }).click()
    await workspaces.expectEmpty()
    expect(pageErrors(page)).toEqual([])
  })

  it('creates, stops, starts and deletes a workspace from the UI; files survive bit for bit', async () => {
    const name = 'e2e-web'
    const alias = `cairn-${name}`
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await workspaces.expectEmpty()

    // Create: the server is held "initializing" so the progress can be seen and pictured.
    await e2e.hetzner.control.holdInitializing(1, e2e.hetzner.project.id)
    await workspaces.openCreateForm()
    await workspaces.fillCreate({ name })
    await workspaces.submitCreate()
    await visible(workspaces.createProgress)
    await visible(workspaces.createProgress.getByRole('progressbar'))
    let held: { serverId: number }[] = []
    await expect
      .poll(async () => (held = await servers()).length, { timeout: 60_000 })
      .toBeGreaterThan(0)
    // Held at Hetzner's "initializing": the phase says what Cairn waits for.
    await hasText(workspaces.createProgress.getByTestId('job-progress'), /Waiting for the server/)
    await screenshot(page, 'workspace-creating', workspaces.createProgress)
    await e2e.hetzner.control.release(held[0]!.serverId, e2e.hetzner.project.id)
    await workspaces.expectState(name, 'running')
    await hasText(workspaces.stateBadge(name), 'Running')
    await hasText(workspaces.totals, '1 running')
    await hasText(
      workspaces.workspace(name).getByTestId('workspace-auto-stop'),
      'after 30 min idle',
    )

    // `ssh cairn-<name>` works with the config Cairn wrote; the command the UI offers says so.
    expect(await workspaces.sshCommand(name)).toContain(alias)
    const data = randomBytes(300_000)
    expect(await readFile(e2e.sshConfig, 'utf8')).toContain(`Host ${alias}`)
    await ssh(alias, 'mkdir -p ~/project && cat > ~/project/data.bin', data)
    await ssh(alias, 'printf "hello from e2e\\n" > ~/project/notes.txt')
    const first = await listed(name)
    expect(first?.state).toBe('running')

    // Back up now: a job on the card, then a restore point the card dates.
    await workspaces.action(name, 'Back up now').click()
    const backup = async () =>
      (await e2e.call('jobs.list', {})).find(
        (j) => j.kind === 'backup' && j.workspaceId === first?.id,
      )
    await expect
      .poll(async () => (await backup())?.state ?? 'none', { timeout: 60_000 })
      .toMatch(/succeeded|failed|cancelled/)
    expect((await backup())?.error?.message ?? null).toBeNull()
    await hasText(workspaces.workspace(name).getByTestId('workspace-last-backup'), /just now|ago/)
    expect((await listed(name))?.lastBackup).not.toBeNull()
    expect((await servers()).length).toBe(1)
    await screenshot(page, 'workspace-running', workspaces.workspace(name))
    // The list holds at 1024x700 without sideways scrolling.
    await page.setViewportSize({ width: 1024, height: 700 })
    expect(
      await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0)
    await page.setViewportSize({ width: 1280, height: 800 })

    // Stop: back up, verify, delete the server.
    await workspaces.action(name, 'Stop').click()
    await workspaces.expectState(name, 'stopped')
    expect(await servers()).toEqual([])
    const stopped = await listed(name)
    expect(stopped?.server).toBeNull()
    expect(stopped?.lastBackup).not.toBeNull()
    await hasText(workspaces.workspace(name).getByTestId('workspace-last-backup'), /ago|just now/)
    await visible(workspaces.action(name, 'Start'))
    await screenshot(page, 'workspace-stopped', workspaces.workspace(name))

    // Start: a new server, restored, with a new pinned host key; the files are back, identical.
    await workspaces.action(name, 'Start').click()
    await workspaces.expectState(name, 'running')
    expect((await servers()).length).toBe(1)
    const started = await listed(name)
    expect(started?.server?.id).not.toBe(first?.server?.id)
    expect(started?.ssh?.hostKey).not.toBe(first?.ssh?.hostKey)
    expect(sha256(await ssh(alias, 'cat ~/project/data.bin'))).toBe(sha256(data))
    expect((await ssh(alias, 'cat ~/project/notes.txt')).toString()).toBe('hello from e2e\n')

    // Delete: the button stays disabled until the name is typed exactly.
    const id = started!.id
    await workspaces.openDelete(name)
    // The typed name has the focus; Escape closes the dialog without deleting.
    expect(await page.evaluate('document.activeElement.name')).toBe('confirm-name')
    await page.keyboard.press('Escape')
    await hidden(workspaces.confirmDialog)
    await workspaces.openDelete(name)
    expect(await workspaces.confirmButton().isDisabled()).toBe(true)
    await workspaces.confirmInput.fill(name.slice(0, -1))
    expect(await workspaces.confirmButton().isDisabled()).toBe(true)
    await workspaces.confirmInput.fill(name)
    expect(await workspaces.confirmButton().isDisabled()).toBe(false)
    await screenshot(page, 'workspace-delete-confirm')
    await workspaces.confirmButton().click()
    await workspaces.expectGone(name)
    await workspaces.expectEmpty()
    expect(await servers()).toEqual([])
    expect(await listed(name)).toBeUndefined()
    expect(await filesUnder(join(storageDir, 'workspaces', id))).toEqual([])
    expect(existsSync(join(storageDir, 'registry', id))).toBe(false)
    // `ssh cairn-<name>` is gone from the ssh config Cairn keeps; the user's own was never touched.
    expect(await readFile(e2e.sshConfig, 'utf8').catch(() => '')).not.toContain(alias)
    expect(await readFile(userSshConfig).catch(() => null)).toEqual(userSshConfigBefore)
    expect(pageErrors(page)).toEqual([])
  })

  it('cancels a create from its progress: the server is deleted and nothing is left', async () => {
    const name = 'e2e-cancel'
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await workspaces.expectEmpty()
    await e2e.hetzner.control.holdInitializing(1, e2e.hetzner.project.id)
    await workspaces.openCreateForm()
    await workspaces.fillCreate({ name, idleMinutes: null })
    await workspaces.submitCreate()
    const progress = workspaces.createProgress.getByTestId('job-progress')
    await hasText(progress, /Waiting for the server/)
    expect((await servers()).length).toBe(1)
    await progress.getByRole('button', { name: /^Cancel/ }).click()
    await hasText(workspaces.page.getByTestId('create-failed'), 'Creation cancelled')
    await expect.poll(servers, { timeout: 60_000 }).toEqual([])
    await workspaces.expectGone(name)
    expect(await listed(name)).toBeUndefined()
    // Back to the form keeps what was typed.
    await workspaces.page.getByRole('button', { name: 'Back to the form' }).click()
    expect(await workspaces.field('Name').inputValue()).toBe(name)
    expect(pageErrors(page)).toEqual([])
  })

  it('shows a server Cairn made but does not list as an orphan with its cost, and deletes it', async () => {
    // A server labelled managed-by=cairn that this Cairn has no record of (e.g. made by a Cairn
    // whose data was lost), created straight through the (fake) Hetzner API.
    const res = await fetch(`${e2e.hetzner.apiBase}/servers`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${e2e.hetzner.project.token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        name: 'cairn-stray',
        server_type: 'cx22',
        location: 'fsn1',
        image: 'ubuntu-24.04',
        labels: { 'managed-by': 'cairn', 'workspace-id': 'ws-stray' },
      }),
    })
    expect(res.status).toBe(201)
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await workspaces.expectEmpty()
    await workspaces.page.getByRole('button', { name: 'Check now' }).click()
    const orphan = workspaces.orphan('cairn-stray')
    await hasText(orphan, /€[\d.]+ so far · €[\d.]+\/mo/)
    await hasText(workspaces.totals, '€')
    await screenshot(page, 'workspace-orphan', workspaces.page.getByTestId('orphans'))

    // Adopting shows the host key the server presents first; nothing is trusted before that.
    await orphan.getByRole('button', { name: 'Adopt…' }).click()
    await hasText(orphan.getByTestId('orphan-host-key'), /Host key SHA256:[A-Za-z0-9+/]{43}/)
    expect(await orphan.getByRole('button', { name: 'Trust this key and adopt' }).isEnabled()).toBe(
      true,
    )
    await screenshot(page, 'workspace-orphan-adopt', workspaces.page.getByTestId('orphans'))
    await orphan.getByRole('button', { name: 'Cancel' }).click()

    await orphan.getByRole('button', { name: 'Delete…' }).click()
    expect(await workspaces.confirmButton('Delete server').isDisabled()).toBe(true)
    await workspaces.confirmInput.fill('cairn-stray')
    await workspaces.confirmButton('Delete server').click()
    await expect.poll(servers, { timeout: 60_000 }).toEqual([])
    await hidden(orphan, 60_000)
    expect((await e2e.call('workspaces.list', {})).orphans).toEqual([])
    expect(pageErrors(page)).toEqual([])
  })

  it('shows why a stop did not finish: Hetzner refuses to delete the server, which keeps running', async () => {
    const name = 'e2e-stuck'
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await workspaces.expectEmpty()
    await workspaces.openCreateForm()
    await workspaces.fillCreate({ name })
    await workspaces.submitCreate()
    await workspaces.expectState(name, 'running')
    const project = e2e.hetzner.project.id
    const rule = await e2e.hetzner.control.inject(
      { method: 'DELETE', path: '/servers/:id', code: 'unavailable' },
      project,
    )
    try {
      await workspaces.action(name, 'Stop').click()
      await visible(workspaces.jobProgress(name))
      // Hetzner's refusals are retried for a while before the stop gives up.
      await workspaces.expectState(name, 'running', 90_000)
      const problem = workspaces.workspace(name).getByTestId('workspace-problem')
      await hasText(problem, /still runs and is billed/)
      await screenshot(page, 'workspace-problem', workspaces.workspace(name))
      expect((await servers()).length).toBe(1)
    } finally {
      await e2e.hetzner.control.clearFaults(project, rule)
    }
    // Once Hetzner answers again, Stop works and the problem is gone.
    await workspaces.action(name, 'Stop').click()
    await workspaces.expectState(name, 'stopped')
    await hidden(workspaces.workspace(name).getByTestId('workspace-problem'))
    expect(await servers()).toEqual([])
    await workspaces.openDelete(name)
    await workspaces.confirmDelete(name)
    await workspaces.expectGone(name)
    expect(pageErrors(page)).toEqual([])
  })

  it('marks a workspace whose server was deleted outside Cairn as missing, and starts it again', async () => {
    const name = 'e2e-lost'
    const alias = `cairn-${name}`
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await workspaces.expectEmpty()
    await workspaces.openCreateForm()
    await workspaces.fillCreate({ name })
    await workspaces.submitCreate()
    await workspaces.expectState(name, 'running')
    await ssh(alias, 'printf "kept\\n" > ~/kept.txt')
    await workspaces.action(name, 'Back up now').click()
    await visible(workspaces.jobProgress(name))
    await hidden(workspaces.jobProgress(name), 60_000)
    expect((await listed(name))?.lastBackup).not.toBeNull()

    // Someone deletes the server in the Hetzner console; Check now notices.
    const [vm] = await servers()
    const res = await fetch(`${e2e.hetzner.apiBase}/servers/${vm!.serverId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${e2e.hetzner.project.token}` },
    })
    expect(res.ok).toBe(true)
    await expect.poll(servers, { timeout: 30_000 }).toEqual([])
    await workspaces.page.getByRole('button', { name: 'Check now' }).click()
    await workspaces.expectState(name, 'missing')
    await hasText(workspaces.stateBadge(name), 'Server missing')
    await hasText(
      workspaces.workspace(name).getByTestId('workspace-problem'),
      /is gone from Hetzner/,
    )
    await screenshot(page, 'workspace-missing', workspaces.workspace(name))

    await workspaces.action(name, 'Start').click()
    await workspaces.expectState(name, 'running')
    expect((await ssh(alias, 'cat ~/kept.txt')).toString()).toBe('kept\n')
    expect(pageErrors(page)).toEqual([])
  })
})
