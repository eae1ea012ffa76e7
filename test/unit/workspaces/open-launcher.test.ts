import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import {
  openTerminal,
  openVsCode,
  systemLauncher,
  type Launcher,
} from '../../../src/main/core/workspaces/open-workspace'

const running = {
  name: 'web',
  state: 'running',
  provider: 'hetzner',
  paths: ['/home/dev'],
  ssh: { host: 'x' },
} as unknown as WorkspaceRecord

describe('open commands', () => {
  let bin: string
  beforeAll(async () => {
    bin = await mkdtemp(join(tmpdir(), 'cairn-launcher-'))
    await writeFile(join(bin, 'code'), '#!/bin/sh\n')
    await chmod(join(bin, 'code'), 0o755)
    await writeFile(join(bin, 'konsole'), 'not executable')
  })
  afterAll(async () => {
    await rm(bin, { recursive: true, force: true })
  })

  it('finds programs only where PATH says, and only executable ones', async () => {
    const launcher = systemLauncher({ env: { PATH: `/nonexistent:${bin}` } })
    expect(await launcher.exists('code')).toBe(true)
    expect(await launcher.exists('konsole')).toBe(false)
    expect(await launcher.exists('gnome-terminal')).toBe(false)
  })

  it('a program that cannot start gives launched:false with the command to run', async () => {
    const failing: Launcher = {
      exists: async () => true,
      launch: async () => {
        throw Object.assign(new Error('spawn failed'), { code: 'EACCES' })
      },
    }
    expect(await openVsCode(running, failing, 'linux')).toEqual({
      command: 'code --remote ssh-remote+cairn-web /home/dev',
      launched: false,
      problem:
        'Cairn could not start code (EACCES). Run it yourself: code --remote ssh-remote+cairn-web /home/dev',
    })
  })

  it('prefers $TERMINAL, and on macOS asks Terminal to run ssh', async () => {
    const started: string[] = []
    const recording: Launcher = {
      exists: async () => true,
      launch: async (c) => {
        started.push([c.file, ...c.args].join(' '))
      },
    }
    await openTerminal(running, recording, { platform: 'linux', env: { TERMINAL: 'foot' } })
    await openTerminal(running, recording, { platform: 'darwin', env: {} })
    expect(started[0]).toBe('foot -e ssh cairn-web')
    expect(started[1]).toContain('tell application "Terminal" to do script "ssh cairn-web"')
  })
})
