import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, hidden, visible } from './pages/expect'
import { OnboardingPage } from './pages/onboarding-page'
import { RestorePointPanel } from './pages/restore-point-panel'
import { WorkspaceDetailPage } from './pages/workspace-detail-page'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { sshTo } from './support/workspace-setup'

/**
 * The whole journey of a new user, only through the page, in Chromium against the headless host
 * and the local cloud: onboarding from an empty data dir, the first workspace, files written over
 * `ssh cairn-<name>`, Back up now with its progress, Stop, Start from an older restore point,
 * browse it and download a file, restore a folder to a local folder, Delete. Each form gets one
 * bad input on the way (the screens' own tests cover the rest). e2e.call is only used to check.
 */
const e2e = useE2E()
const name = 'journey'
let scratch = ''
let storageDir = ''
let downloads = ''
let restoreDir = ''

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
// Big enough that the backup's progress is on screen for a moment.
const blob = randomBytes(6 * 1024 * 1024)
const mainTs = 'export const version = 1\n'

const ssh = (command: string, input?: Buffer) => sshTo(e2e, `cairn-${name}`, command, input)

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cairn-e2e-journey-'))
  storageDir = join(scratch, 'storage')
  downloads = join(scratch, 'downloads')
  restoreDir = join(scratch, 'restored')
  await mkdir(storageDir)
  await mkdir(downloads)
  process.env.CAIRN_DOWNLOADS_DIR = downloads
})

afterAll(async () => {
  delete process.env.CAIRN_DOWNLOADS_DIR
  // Only when the test failed half way: nothing of it is left running in the fake Hetzner.
  for (const ws of (await e2e.call('workspaces.list', {}).catch(() => ({ workspaces: [] })))
    .workspaces) {
    for (const job of e2e.core.services.jobs.list())
      if (job.workspaceId === ws.id && job.state === 'running')
        await e2e.core.services.jobs.wait(job.id)
    const job = await e2e.call('workspaces.delete', { id: ws.id, confirmName: ws.name })
    await e2e.core.services.jobs.wait(job.id)
  }
  await rm(scratch, { recursive: true, force: true })
}, 120_000)

describe('A new user', () => {
  it('goes from onboarding to a workspace, backs it up, restores it, and deletes it', async () => {
    const page = await e2e.open()
    const onboarding = new OnboardingPage(page)

    // Onboarding: the keychain is there.
    await onboarding.expectStep('welcome')
    await hasText(onboarding.keychain, 'Your keychain is ready')
    await onboarding.next.click()

    // Storage: a relative folder is refused, a full path is saved.
    await onboarding.expectStep('storage')
    await onboarding.fillFolder('cairn-backups')
    await onboarding.saveStorage()
    expect(await onboarding.fieldError(/^Folder/)).toMatch(/full path/)
    await onboarding.fillFolder(storageDir)
    await onboarding.saveStorage()
    await hasText(onboarding.storageSaved, storageDir, 60_000)
    await onboarding.next.click()

    // The recovery key: shown once, a wrong group refused, the right one accepted.
    await onboarding.expectStep('keys')
    await onboarding.next.click()
    const key = await onboarding.recoveryKey()
    await onboarding.next.click()
    const groups = key.split('-')
    await onboarding.confirmRecovery(groups[0]!, true)
    expect(await onboarding.fieldError(/^Last group/)).toMatch(/not the last group/)
    await onboarding.field(/^Last group/).fill('')
    await onboarding.confirmRecovery(groups.at(-1)!, true)

    // Hetzner: a wrong token is refused, this file's project token is kept.
    await onboarding.expectStep('compute')
    await onboarding.enterToken('wrong-token-' + 'x'.repeat(52))
    await hasText(onboarding.hetznerError, 'Nothing was stored')
    await onboarding.enterToken(e2e.hetzner.project.token)
    await visible(onboarding.tokenStored)
    await onboarding.next.click()

    // The first workspace: a name with spaces and capitals refused, then created and running.
    await onboarding.expectStep('workspace')
    await visible(onboarding.serverTypes.first())
    await onboarding.nameWorkspace('My Journey')
    await onboarding.next.click()
    expect(await onboarding.fieldError('Name')).toMatch(/./)
    await onboarding.nameWorkspace(name)
    await onboarding.next.click()
    await onboarding.expectStep('done', 120_000)
    await hasText(onboarding.ssh, `cairn-${name}`)
    await onboarding.root.getByRole('button', { name: 'Go to your workspace' }).click()

    const detail = new WorkspaceDetailPage(page)
    await visible(detail.root)
    await hasText(page.locator('h1'), name)
    expect(await detail.state()).toBe('running')
    await hasText(detail.empty, 'Back up now')
    const [workspace] = (await e2e.call('workspaces.list', {})).workspaces
    expect([workspace?.name, workspace?.state]).toEqual([name, 'running'])
    const workspaceId = workspace!.id

    // Files over SSH, as the workspace's user would write them.
    await ssh('mkdir -p ~/project/src ~/project/data && cat > ~/project/data/blob.bin', blob)
    await ssh('cat > ~/project/src/main.ts', Buffer.from(mainTs))
    await ssh('printf "first\\n" > ~/project/notes.txt')

    // Back up now: the progress bar and the phase show while it runs, then the restore point.
    const progress = await detail.watchProgress()
    await detail.action('Back up now').click()
    await expect.poll(async () => (await progress()).bars, { timeout: 30_000 }).toBe(true)
    await hidden(detail.jobProgress, 60_000)
    const seen = await progress()
    expect(seen.phases.join(' | ')).toMatch(/\d+%/)
    await expect.poll(() => detail.points.count(), { timeout: 30_000 }).toBe(1)
    await hasText(detail.points.first(), 'Back up now')
    await hasText(detail.fact('workspace-point-count'), '1 restore point')

    // Later work that the chosen restore point does not have.
    await ssh('printf "second\\n" > ~/project/notes.txt && printf "later\\n" > ~/project/later.txt')

    // Stop: the last backup, then the server is gone.
    await detail.action('Stop').click()
    await expect.poll(() => detail.state(), { timeout: 120_000 }).toBe('stopped')
    await hidden(detail.jobProgress, 60_000)
    await expect.poll(() => detail.points.count(), { timeout: 30_000 }).toBe(2)
    expect(await e2e.hetzner.control.vms(e2e.hetzner.project.id)).toEqual([])

    // Start from the older restore point (Back up now's, not the stop's).
    const chosen = detail.pointsWith('Back up now')
    await expect.poll(() => chosen.count()).toBe(1)
    const chosenId = await chosen.getAttribute('data-id')
    const points = (await e2e.call('restorePoints.list', { workspaceId })).restorePoints
    expect(points.map((p) => p.id)).toEqual([chosenId, expect.any(String)])
    await detail.startFrom(chosen)
    expect(await detail.startDialog.getByLabel('Restore point').inputValue()).toBe(chosenId)
    await detail.confirmStart()
    await hidden(detail.startDialog)
    await expect.poll(() => detail.state(), { timeout: 120_000 }).toBe('running')
    await hidden(detail.jobProgress, 60_000)
    expect((await ssh('cat ~/project/notes.txt')).toString()).toBe('first\n')
    expect((await ssh('ls ~/project')).toString().split('\n')).not.toContain('later.txt')
    expect(sha256(await ssh('cat ~/project/data/blob.bin'))).toBe(sha256(blob))

    // Browse that restore point: its files, not the later ones; download a file.
    const panel = new RestorePointPanel(page)
    await detail.openPoint(detail.pointsWith('Back up now'))
    await panel.expectEntries(['project'])
    await panel.openFolder('project')
    await panel.expectEntries(['data', 'src', 'notes.txt'])
    expect(await panel.entry('later.txt').count()).toBe(0)
    await panel.openFolder('data')
    await panel.download('blob.bin')
    const saved = await panel.savedTo()
    expect(saved).toBe(join(downloads, 'blob.bin'))
    expect(sha256(await readFile(saved))).toBe(sha256(blob))
    await panel.dismiss()

    // Restore a folder to a local folder: a relative path refused, then a full one.
    await panel.crumb('project')
    await panel.restore('src')
    await panel.choose('folder')
    await panel.fillFolder('restored/here')
    await panel.review()
    expect(await panel.fieldError()).toMatch(/full path/)
    await panel.fillFolder(restoreDir)
    await panel.review()
    expect(await panel.facts()).toContain(`${restoreDir}/project/src`)
    await panel.confirmRestore()
    expect(await panel.outcome()).toContain('Restored into the folder')
    expect(await readdir(join(restoreDir, 'project/src'))).toEqual(['main.ts'])
    expect(await readFile(join(restoreDir, 'project/src/main.ts'), 'utf8')).toBe(mainTs)
    await panel.dismiss()

    // Delete: the button waits for the exact name; then the server and the workspace are gone.
    const list = new WorkspacesPage(page)
    await detail.openDelete()
    await list.confirmInput.fill('journe')
    expect(await list.confirmButton().isDisabled()).toBe(true)
    await list.confirmDelete(name)
    await visible(page.getByTestId('workspace-detail-missing'), 120_000)
    await expect
      .poll(async () => (await e2e.call('workspaces.list', {})).workspaces.length, {
        timeout: 60_000,
      })
      .toBe(0)
    expect(await e2e.hetzner.control.vms(e2e.hetzner.project.id)).toEqual([])
    expect(pageErrors(page)).toEqual([])
  }, 180_000)
})
