import { describe, expect, it } from 'vitest'
import {
  terminalCommands,
  vsCodeCommand,
  vsCodeUri,
} from '../../../src/main/core/ssh-config/open-commands'

describe('Open in VS Code', () => {
  it('builds `code --remote ssh-remote+cairn-<name> <path>`', () => {
    expect(vsCodeCommand('cairn-web', '/home/dev/my app', 'linux')).toEqual({
      file: 'code',
      args: ['--remote', 'ssh-remote+cairn-web', '/home/dev/my app'],
    })
    expect(vsCodeCommand('cairn-web', '/home/dev', 'darwin').file).toBe('code')
    expect(vsCodeCommand('cairn-web', '/home/dev', 'win32')).toEqual({
      file: 'cmd.exe',
      args: ['/d', '/c', 'code', '--remote', 'ssh-remote+cairn-web', '/home/dev'],
    })
    expect(() => vsCodeCommand('cairn-web', '/home/dev/a&b', 'win32')).toThrow(/vscode:\/\//)
    expect(() => vsCodeCommand('cairn-web', 'relative', 'linux')).toThrow()
    expect(() => vsCodeCommand('web', '/home/dev', 'linux')).toThrow()
  })

  it('has a vscode:// link for when the code command is not installed', () => {
    expect(vsCodeUri('cairn-web', '/home/dev/my app')).toBe(
      'vscode://vscode-remote/ssh-remote+cairn-web/home/dev/my%20app',
    )
  })
})

describe('Open terminal', () => {
  it('macOS: Terminal.app running ssh, quoted for the shell and AppleScript', () => {
    const [cmd] = terminalCommands('cairn-web', {
      platform: 'darwin',
      ssh: ['ssh', '-F', '/Users/a b/cfg "x"', 'cairn-web'],
    })
    expect(cmd).toEqual({
      file: 'osascript',
      args: [
        '-e',
        `tell application "Terminal" to do script "ssh -F '/Users/a b/cfg \\"x\\"' cairn-web"`,
        '-e',
        'tell application "Terminal" to activate',
      ],
    })
  })

  it('Windows: Windows Terminal, else a new console window', () => {
    expect(terminalCommands('cairn-web', { platform: 'win32' })).toEqual([
      { file: 'wt.exe', args: ['new-tab', '--title', 'cairn-web', 'ssh', 'cairn-web'] },
      { file: 'cmd.exe', args: ['/d', '/c', 'start', 'cmd.exe', '/k', 'ssh', 'cairn-web'] },
    ])
  })

  it('Linux: $TERMINAL first, then common emulators', () => {
    const list = terminalCommands('cairn-web', { platform: 'linux', env: { TERMINAL: 'foot' } })
    expect(list[0]).toEqual({ file: 'foot', args: ['-e', 'ssh', 'cairn-web'] })
    expect(list.map((c) => c.file)).toContain('gnome-terminal')
    expect(list.filter((c) => c.file === 'foot')).toHaveLength(1)
    const plain = terminalCommands('cairn-web', { platform: 'linux', env: {} })
    expect(plain[0]).toEqual({ file: 'x-terminal-emulator', args: ['-e', 'ssh', 'cairn-web'] })
    expect(plain.find((c) => c.file === 'gnome-terminal')?.args).toEqual(['--', 'ssh', 'cairn-web'])
  })
})
