import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, visible } from './pages/expect'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { deleteAllWorkspaces, setUpStorage, sshTo } from './support/workspace-setup'

/**
 * Create with its checks before money is spent, and a fork: a new workspace that starts from
 * another workspace's restore point, its files there over the real `ssh cairn-<name>`.
 */
const e2e = useE2E()
let storageDir = ''

const ssh = async (alias: string, command: string) => (await sshTo(e2e, alias, command)).toString()

beforeAll(async () => {
  storageDir = await setUpStorage(e2e, 'cairn-e2e-create-storage-')
})
afterAll(async () => {
  await deleteAllWorkspaces(e2e)
  await rm(storageDir, { recursive: true, force: true })
})

/** The workspaces the core has: nothing is created before the checks passed and Create. */
async function names(): Promise<string[]> {
  return (await e2e.call('workspaces.list', {})).workspaces.map((w) => w.name).sort()
}

describe('Create a workspace', () => {
  it('checks before creating, refuses a taken name, and forks from a restore point', async () => {
    // The source: a workspace with a file in a restore point.
    const created = await e2e.call('workspaces.create', {
      name: 'source',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect((await e2e.core.services.jobs.wait(created.id)).error).toBeNull()
    await ssh('cairn-source', 'mkdir -p ~/project && printf "forked file\\n" > ~/project/hello.txt')
    const source = (await e2e.call('workspaces.list', {})).workspaces.find(
      (w) => w.name === 'source',
    )!
    const backup = await e2e.call('workspaces.backup', { id: source.id })
    expect((await e2e.core.services.jobs.wait(backup.id)).error).toBeNull()

    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    await visible(workspaces.workspace('source'))
    await workspaces.openCreateForm()

    // Bad input the checks find: the name is taken. Nothing is created, Create is not offered.
    await workspaces.fillCreate({ name: 'source' })
    expect(await workspaces.checkCreate()).toBe('failed')
    await hasText(workspaces.preflightCheck('name'), /already exists/)
    expect(await workspaces.preflightCheck('name').getAttribute('data-ok')).toBe('false')
    expect(await workspaces.preflightCheck('token').getAttribute('data-ok')).toBe('true')
    expect(
      await workspaces.createForm.getByRole('button', { name: 'Create workspace' }).count(),
    ).toBe(0)
    // Bad input the form finds itself: an exclude rule longer than any rule can be.
    await workspaces.fillCreate({ name: 'fork', excludes: 'x'.repeat(1001) })
    expect(await workspaces.checkCreate()).toBe('invalid')
    expect(await workspaces.fieldError('Leave out (optional)')).toMatch(/at most 1000 characters/)
    expect(await names()).toEqual(['source'])

    // A fork from the source's latest restore point: every check passes, with the price.
    await workspaces.fillCreate({
      excludes: 'node_modules',
      from: { workspace: 'source', restorePoint: 'latest' },
    })
    // Its restore points are listed to choose from (newest first, after Latest).
    await expect
      .poll(() => workspaces.field('Restore point').locator('option').count())
      .toBeGreaterThan(1)
    expect(await workspaces.checkCreate()).toBe('ok')
    await hasText(workspaces.preflightCheck('restorePoint'), /opened and decrypted/)
    await hasText(workspaces.preflightCheck('serverType'), /cx22 in fsn1: €/)
    // The checks and the Create button, as the user sees them after Check.
    await screenshot(page, 'workspace-create-preflight', workspaces.preflight, 'center')
    expect(await names()).toEqual(['source'])
    // An edit makes the checks stale: they must run again.
    await workspaces.fillCreate({ name: 'forked' })
    expect(await workspaces.preflight.count()).toBe(0)
    await workspaces.submitCreate()
    await workspaces.expectState('forked', 'running')
    expect(await ssh('cairn-forked', 'cat ~/project/hello.txt')).toBe('forked file\n')
    // The source is untouched.
    expect(await ssh('cairn-source', 'cat ~/project/hello.txt')).toBe('forked file\n')
    await screenshot(page, 'workspaces-list')
    expect(pageErrors(page)).toEqual([])
  })
})
