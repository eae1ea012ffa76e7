import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytar-secret-store'
import { secretAccounts } from '../../../src/main/core/secrets/secret-store'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { workspaceRecord } from '../../support/workspace-record'
import { startWorkspaceHarness } from './workspace-harness'

/**
 * Secrets of a stopped workspace: values in the keychain only, names in the registry. Writing them
 * to a running VM is covered in create.test.ts and start.test.ts.
 */
describe('workspaces.secrets.*', () => {
  let h: Awaited<ReturnType<typeof startWorkspaceHarness>>
  let keychain: KeytarSecretStore
  const id = newWorkspaceId()

  beforeAll(async () => {
    h = await startWorkspaceHarness()
    keychain = new KeytarSecretStore({ service: h.service })
    const record = workspaceRecord({ id, name: 'quiet' })
    await h.core.workspaces.registry.add(record)
  })

  afterAll(async () => {
    await keychain?.delete(secretAccounts.workspaceSecret(id, 'B_TOKEN'))
    await h?.close({ remove: true })
  })

  it('keeps values in the keychain and names (sorted) in the registry', async () => {
    const value = `v-${Date.now()}-do-not-log`
    expect(await h.ok('workspaces.secrets.set', { id, name: 'Z_KEY', value })).toEqual(['Z_KEY'])
    expect(await h.ok('workspaces.secrets.set', { id, name: 'B_TOKEN', value: 'b1' })).toEqual([
      'B_TOKEN',
      'Z_KEY',
    ])
    // Setting again replaces the value, not the name.
    expect(await h.ok('workspaces.secrets.set', { id, name: 'B_TOKEN', value: 'b2' })).toEqual([
      'B_TOKEN',
      'Z_KEY',
    ])
    expect(await keychain.get(secretAccounts.workspaceSecret(id, 'B_TOKEN'))).toBe('b2')
    expect(await keychain.get(secretAccounts.workspaceSecret(id, 'Z_KEY'))).toBe(value)
    expect(await h.ok('workspaces.secrets.list', { id })).toEqual(['B_TOKEN', 'Z_KEY'])

    const registry = await readFile(h.core.workspaces.registry.path, 'utf8')
    expect(registry).not.toContain(value)
    expect(registry).not.toContain('b2')

    expect(await h.ok('workspaces.secrets.delete', { id, name: 'Z_KEY' })).toEqual(['B_TOKEN'])
    expect(await keychain.get(secretAccounts.workspaceSecret(id, 'Z_KEY'))).toBeNull()
    const log = await readFile(`${h.dataDir}/logs/cairn.log`, 'utf8').catch(() => '')
    expect(log).not.toContain(value)
  })

  it('refuses names that are not environment variable names, and unknown workspaces', async () => {
    const bad = await h.call('workspaces.secrets.set', { id, name: 'lower-case', value: 'x' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const unknown = await h.call('workspaces.secrets.set', {
      id: newWorkspaceId(),
      name: 'OK_NAME',
      value: 'x',
    })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await h.ok('workspaces.secrets.list', { id })).toEqual(['B_TOKEN'])
  })
})
