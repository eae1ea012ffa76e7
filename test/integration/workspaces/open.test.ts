import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import type { CallResult } from '../../../src/shared/rpc'
import { dispatch, type Handlers } from '../../../src/main/core/api/dispatch'
import { workspacesRegistryHandlers } from '../../../src/main/core/api/handlers/workspaces-registry'
import { systemLauncher } from '../../../src/main/core/workspaces/open-workspace'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

/**
 * "Open in VS Code" and "Open terminal" start real programs, detached: here fake `code` and
 * terminal programs on a PATH of their own record the arguments they got, so no window opens.
 */
describe('workspaces.openVsCode / openTerminal / sshCommand', () => {
  let h: WorkspaceHarness
  let bin: string
  let out: string
  const running = newWorkspaceId()
  const stopped = newWorkspaceId()

  const record = (id: string, name: string, over: Partial<WorkspaceRecord>): WorkspaceRecord => ({
    id,
    name,
    provider: 'ssh',
    state: 'running',
    createdAt: new Date().toISOString(),
    paths: ['/srv/my project', '/etc'],
    excludes: [],
    includes: [],
    includeCredentials: false,
    idleTimeoutMinutes: null,
    location: null,
    serverType: null,
    image: null,
    server: null,
    ssh: {
      host: '127.0.0.1',
      port: 22,
      user: 'dev',
      hostKey: generateHostKey().publicKey,
      hostKeyFingerprint: 'SHA256:x',
      keyId: 'none',
    },
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: null,
    ...over,
  })

  /** The handlers of this core with a launcher that sees only `path` (and no DISPLAY needed). */
  const callWith = (path: string) => {
    const handlers: Handlers = {
      ...h.core.handlers,
      ...workspacesRegistryHandlers(h.core.workspaces, {
        launcher: systemLauncher({ env: { PATH: path, OUT: out } }),
      }),
    }
    return (method: string, input: unknown): Promise<CallResult> =>
      dispatch(handlers, method, input, { host: 'headless' })
  }

  const waitForFile = async (file: string): Promise<string> => {
    for (let i = 0; i < 100; i++) {
      const text = await readFile(file, 'utf8').catch(() => null)
      if (text?.endsWith('END\n')) return text
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`${file} was not written`)
  }

  beforeAll(async () => {
    h = await startWorkspaceHarness()
    bin = await mkdtemp(join(tmpdir(), 'cairn-open-bin-'))
    out = join(bin, 'args.txt')
    for (const program of ['code', 'x-terminal-emulator']) {
      await writeFile(
        join(bin, program),
        `#!/bin/sh\n{ echo ${program}; for a in "$@"; do echo "$a"; done; echo END; } > "$OUT"\n`,
      )
      await chmod(join(bin, program), 0o755)
    }
    await h.core.workspaces.registry.add(record(running, 'web', {}))
    await h.core.workspaces.registry.add(
      record(stopped, 'cold', { provider: 'hetzner', state: 'stopped', ssh: null }),
    )
  })
  afterAll(async () => {
    await h?.close({ remove: true })
    await rm(bin, { recursive: true, force: true })
  })

  it('opens VS Code on the first path over ssh-remote+cairn-<name>, detached', async () => {
    const call = callWith(bin)
    const result = await call('workspaces.openVsCode', { id: running })
    expect(result).toEqual({
      ok: true,
      output: {
        command: "code --remote ssh-remote+cairn-web '/srv/my project'",
        launched: true,
        problem: null,
      },
    })
    expect(await waitForFile(out)).toBe(
      'code\n--remote\nssh-remote+cairn-web\n/srv/my project\nEND\n',
    )
  })

  it('says what to install when `code` is not on PATH, without throwing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'cairn-open-empty-'))
    try {
      const result = await callWith(empty)('workspaces.openVsCode', { id: running })
      expect(result.ok).toBe(true)
      if (!result.ok) return
      const output = result.output as { launched: boolean; problem: string; command: string }
      expect(output.launched).toBe(false)
      expect(output.command).toBe("code --remote ssh-remote+cairn-web '/srv/my project'")
      expect(output.problem).toMatch(/`code` command of VS Code is not on your PATH/)
      expect(output.problem).toContain(
        'vscode://vscode-remote/ssh-remote+cairn-web/srv/my%20project',
      )

      const terminal = await callWith(empty)('workspaces.openTerminal', { id: running })
      expect(terminal).toMatchObject({
        ok: true,
        output: { launched: false, command: 'ssh cairn-web' },
      })
      if (terminal.ok) {
        expect((terminal.output as { problem: string }).problem).toMatch(/no terminal program/)
      }
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })

  it('opens a terminal running ssh cairn-<name>', async () => {
    await rm(out, { force: true })
    const result = await callWith(bin)('workspaces.openTerminal', { id: running })
    expect(result).toMatchObject({
      ok: true,
      output: { launched: true, command: 'x-terminal-emulator -e ssh cairn-web', problem: null },
    })
    expect(await waitForFile(out)).toBe('x-terminal-emulator\n-e\nssh\ncairn-web\nEND\n')
  })

  it('gives the ssh command, and refuses all three for a workspace that is not running', async () => {
    expect(await h.ok('workspaces.sshCommand', { id: running })).toEqual({
      command: 'ssh cairn-web',
      alias: 'cairn-web',
    })
    for (const method of [
      'workspaces.openVsCode',
      'workspaces.openTerminal',
      'workspaces.sshCommand',
    ]) {
      const result = await callWith(bin)(method, { id: stopped })
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error.code).toBe('conflict')
        expect(result.error.message).toMatch(/cold is stopped.*Start it first/)
      }
    }
  })
})
