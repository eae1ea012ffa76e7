import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, visible } from './pages/expect'
import { RestorePointPanel } from './pages/restore-point-panel'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { setUpStorage, sshTo } from './support/workspace-setup'

/**
 * One restore point in the workspace detail page: browse, download a file, restore a folder into
 * a local folder and into the running workspace (after a safety backup), bad input in the dialog.
 * Real core and host, the local cloud's fake Hetzner (sshd), a folder as storage.
 */
const e2e = useE2E()
const name = 'e2e-restore'
let storageDir = ''
let downloads = ''
let restoreDir = ''
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const blob = randomBytes(300 * 1024)
const many = Array.from({ length: 400 }, (_, i) => `file-${String(i).padStart(3, '0')}.txt`)

const ssh = (command: string, input?: Buffer) => sshTo(e2e, `cairn-${name}`, command, input)

beforeAll(async () => {
  storageDir = await setUpStorage(e2e, 'cairn-e2e-rp-storage-')
  downloads = await mkdtemp(join(tmpdir(), 'cairn-e2e-downloads-'))
  restoreDir = join(await mkdtemp(join(tmpdir(), 'cairn-e2e-restore-')), 'restored')
  process.env.CAIRN_DOWNLOADS_DIR = downloads
  const created = await e2e.call('workspaces.create', {
    name,
    location: 'fsn1',
    serverType: 'cx22',
  })
  const job = await e2e.core.services.jobs.wait(created.id)
  expect(job.error).toBeNull()
  await ssh('mkdir -p ~/project/src ~/project/many && cat > ~/project/blob.bin', blob)
  await ssh('cat > ~/project/src/main.ts', Buffer.from('export const answer = 42\n'))
  await ssh(`cd ~/project/many && for f in ${many.join(' ')}; do echo "$f" > "$f"; done`)
  const backup = await e2e.call('workspaces.backup', {
    id: (await e2e.call('workspaces.list', {})).workspaces[0]!.id,
  })
  expect((await e2e.core.services.jobs.wait(backup.id)).error).toBeNull()
}, 240_000)

afterAll(async () => {
  delete process.env.CAIRN_DOWNLOADS_DIR
  for (const ws of (await e2e.call('workspaces.list', {})).workspaces) {
    for (const job of e2e.core.services.jobs.list())
      if (job.workspaceId === ws.id && job.state === 'running')
        await e2e.core.services.jobs.wait(job.id)
    const job = await e2e.call('workspaces.delete', { id: ws.id, confirmName: ws.name })
    await e2e.core.services.jobs.wait(job.id)
  }
  for (const dir of [storageDir, downloads, join(restoreDir, '..')])
    await rm(dir, { recursive: true, force: true })
}, 120_000)

describe('A restore point', () => {
  it('browses folders, downloads a file with identical bytes, and restores a folder to a local folder', async () => {
    const page = await e2e.open()
    const panel = new RestorePointPanel(page)
    await panel.openFromList(name)
    await panel.expectEntries(['project'])
    await panel.openFolder('project')
    await panel.expectEntries(['src', 'many', 'blob.bin'])
    await hasText(panel.entry('blob.bin'), '300 KiB')
    await hasText(panel.entry('blob.bin'), '-rw-')
    // A big folder is virtualised: far fewer rows in the page than entries.
    await panel.openFolder('many')
    await visible(panel.entry('file-000.txt'))
    const rows = await panel.root.getByTestId('restore-entry').count()
    expect(rows).toBeLessThan(many.length)
    await hasText(panel.root, '400 entries')
    await screenshot(page, 'restore-browse', panel.root)
    await panel.crumb('project')
    await visible(panel.entry('blob.bin'))

    // Download a file: it lands in the Downloads folder under its own name.
    await panel.download('blob.bin')
    const saved = await panel.savedTo()
    expect(saved).toBe(join(downloads, 'blob.bin'))
    expect(await panel.outcome()).toContain('Saved to')
    expect(sha256(await readFile(saved))).toBe(sha256(blob))
    // Again: a second copy, the first is not replaced.
    await panel.dismiss()
    await panel.download('blob.bin')
    expect(await panel.savedTo()).toBe(join(downloads, 'blob (2).bin'))
    await panel.dismiss()

    // Restore a folder to a local folder: bad paths first.
    await panel.restore('src')
    await panel.choose('folder')
    await panel.review()
    expect(await panel.fieldError()).toMatch(/^Enter the folder to restore into/)
    await panel.fillFolder('relative/path')
    await panel.review()
    expect(await panel.fieldError()).toMatch(/^Enter a full path that starts with \//)
    await panel.fillFolder(restoreDir)
    await panel.review()
    const facts = await panel.facts()
    expect(facts).toContain(`${restoreDir}/project/src`)
    expect(facts).toContain('does not exist yet')
    await panel.confirmRestore()
    expect(await panel.outcome()).toContain('Restored into the folder')
    expect(await readFile(join(restoreDir, 'project/src/main.ts'), 'utf8')).toBe(
      'export const answer = 42\n',
    )
    await panel.dismiss()

    // Again into the same folder: the review lists what is replaced and wants a tick.
    await mkdir(join(restoreDir, 'project/src'), { recursive: true })
    await writeFile(join(restoreDir, 'project/src/main.ts'), 'local edit\n')
    await panel.restore('src')
    await panel.choose('folder')
    await panel.fillFolder(restoreDir)
    await panel.review()
    await hasText(panel.confirm.getByTestId('restore-conflicts'), 'project/src/main.ts')
    const confirmButton = panel.confirm.locator('.dialog-actions button').last()
    expect(await confirmButton.isDisabled()).toBe(true)
    await panel.confirm.getByLabel('Replace the files listed above').check()
    await panel.confirmRestore()
    await panel.outcome()
    expect(await readFile(join(restoreDir, 'project/src/main.ts'), 'utf8')).toBe(
      'export const answer = 42\n',
    )
    expect(pageErrors(page)).toEqual([])
  }, 240_000)

  it('restores a folder into the running workspace after confirming, with a safety backup', async () => {
    await ssh('echo broken > ~/project/src/main.ts && rm ~/project/blob.bin')
    const page = await e2e.open()
    const panel = new RestorePointPanel(page)
    await panel.openFromList(name)
    await panel.restore('project')
    await panel.choose('workspace')
    await panel.review()
    const facts = await panel.facts()
    expect(facts).toContain('First Cairn backs up e2e-restore')
    expect(facts).toContain('/home/dev/project')
    // Everything of project/ but the deleted blob.bin exists there: 400 + main.ts.
    expect(facts).toContain('401 files are replaced')
    await hasText(panel.confirm.getByTestId('restore-conflicts'), 'and 393 more')
    await screenshot(page, 'restore-confirm', panel.dialog, 'center')
    await panel.confirmRestore()
    const outcome = await panel.outcome(180_000)
    expect(outcome).toContain('Restored into the workspace')
    await hasText(panel.root.getByTestId('restore-outcome'), /before restore/)
    expect((await ssh('cat ~/project/src/main.ts')).toString()).toBe('export const answer = 42\n')
    expect(sha256(await ssh('cat ~/project/blob.bin'))).toBe(sha256(blob))
    const ws = (await e2e.call('workspaces.list', {})).workspaces[0]!
    const points = await e2e.call('restorePoints.list', { workspaceId: ws.id })
    expect(points.restorePoints.map((p) => p.trigger)).toContain('before-restore')
    expect(pageErrors(page)).toEqual([])
  }, 240_000)
})
