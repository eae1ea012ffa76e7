import { describe, expect, it } from 'vitest'
import { workspaceOptionsFromEnv } from '../../../src/main/core/workspaces/env-options'

describe('workspaceOptionsFromEnv', () => {
  it('reads the VM SSH port and the ssh config path', () => {
    expect(
      workspaceOptionsFromEnv({ CAIRN_VM_SSH_PORT: ' 2222 ', CAIRN_SSH_CONFIG: '/tmp/x/config' }),
    ).toEqual({ vmSshPort: 2222, sshConfigPath: '/tmp/x/config' })
  })

  it('ignores what is not a port or an absolute path, and an empty environment', () => {
    expect(workspaceOptionsFromEnv({})).toEqual({})
    for (const port of ['0', '65536', '22a', '-1', '']) {
      expect(workspaceOptionsFromEnv({ CAIRN_VM_SSH_PORT: port })).toEqual({})
    }
    expect(workspaceOptionsFromEnv({ CAIRN_SSH_CONFIG: 'relative/config' })).toEqual({})
  })
})
