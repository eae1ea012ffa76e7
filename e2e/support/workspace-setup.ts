import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { E2E } from './harness'

/*
 * What several e2e files set up before their pages open, through the core as the UI would:
 * storage, repository and token; a running workspace; and ssh into it as its user would.
 */

/**
 * The fake Hetzner project's token, a new temp folder (named from `prefix`) as storage and the
 * repository in it. Returns the folder (the caller removes it).
 */
export async function setUpStorage(e2e: E2E, prefix: string): Promise<string> {
  const storageDir = await mkdtemp(join(tmpdir(), prefix))
  await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
  await e2e.call('storage.save', { config: { kind: 'folder', path: storageDir } })
  await e2e.call('repository.init', {})
  return storageDir
}

/** Creates a workspace (fsn1, cx22) and waits until it runs; its id. Throws if the create failed. */
export async function createRunningWorkspace(e2e: E2E, name: string): Promise<string> {
  const job = await e2e.call('workspaces.create', { name, location: 'fsn1', serverType: 'cx22' })
  const done = await e2e.core.services.jobs.wait(job.id)
  if (done.error) throw new Error(`creating ${name} failed: ${done.error.message}`)
  const ws = (await e2e.call('workspaces.list', {})).workspaces.find((w) => w.name === name)
  if (!ws) throw new Error(`the workspace ${name} was not created`)
  return ws.id
}

/** Deletes every workspace the core has, each delete waited for. */
export async function deleteAllWorkspaces(e2e: E2E): Promise<void> {
  for (const ws of (await e2e.call('workspaces.list', {})).workspaces) {
    const job = await e2e.call('workspaces.delete', { id: ws.id, confirmName: ws.name })
    await e2e.core.services.jobs.wait(job.id)
  }
}

/**
 * Runs `ssh -F <Cairn's ssh config> <alias> <command>` (alias `cairn-<name>`) with `input` on its
 * stdin, as the user would from a terminal; resolves with its stdout.
 */
export function sshTo(e2e: E2E, alias: string, command: string, input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ssh',
      ['-F', e2e.sshConfig, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', alias, command],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: e2e.home },
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`ssh ${alias} ${command}: ${error.message} ${String(stderr)}`))
        else resolve(stdout)
      },
    )
    child.stdin?.end(input ?? Buffer.alloc(0))
  })
}

/**
 * Per test file, before its tests: storage, repository and token (`setUpStorage`) and a running
 * workspace `name`; after them, the workspace deleted and the storage folder removed. Read `id`
 * and `storageDir` inside tests.
 */
export function useRunningWorkspace(
  e2e: E2E,
  name: string,
  storagePrefix: string,
): { readonly id: string; readonly storageDir: string } {
  const state = { id: '', storageDir: '' }
  beforeAll(async () => {
    state.storageDir = await setUpStorage(e2e, storagePrefix)
    state.id = await createRunningWorkspace(e2e, name)
  }, 180_000)
  afterAll(async () => {
    if (state.id) {
      const job = await e2e.call('workspaces.delete', { id: state.id, confirmName: name })
      await e2e.core.services.jobs.wait(job.id)
    }
    if (state.storageDir) await rm(state.storageDir, { recursive: true, force: true })
  })
  return state
}
