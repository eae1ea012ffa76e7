import { describe, expect, it } from 'vitest'
import { parseHostArgs } from '../../../src/main/host/args'
import { defaultDataDir } from '../../../src/main/host/data-dir'

describe('host arguments', () => {
  it('defaults to a random port and the per-user data folder', () => {
    const args = parseHostArgs([], { XDG_CONFIG_HOME: '/cfg' })
    expect(args).toMatchObject({ port: 0, hetznerApi: undefined, help: false })
    expect(args.dataDir).toBe(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }))
  })

  it('reads --port, --data-dir and --hetzner-api', () => {
    const args = parseHostArgs(
      ['--port', '8080', '--data-dir', '/tmp/c', '--hetzner-api', 'http://127.0.0.1:4000/v1'],
      {},
    )
    expect(args).toEqual({
      port: 8080,
      dataDir: '/tmp/c',
      hetznerApi: 'http://127.0.0.1:4000/v1',
      help: false,
    })
  })

  it('refuses what it cannot use, with a message that says why', () => {
    expect(() => parseHostArgs(['--port', 'abc'], {})).toThrow(/--port must be/)
    expect(() => parseHostArgs(['--port', '70000'], {})).toThrow(/--port must be/)
    expect(() => parseHostArgs(['--port', ''], {})).toThrow(/--port must be/)
    expect(() => parseHostArgs(['--hetzner-api', 'ftp://x'], {})).toThrow(/http\(s\) URL/)
    expect(() => parseHostArgs(['--bogus'], {})).toThrow()
  })
})

describe('default data folder', () => {
  it('is CAIRN_DATA_DIR when set, else the folder Electron uses for "Cairn"', () => {
    expect(defaultDataDir({ CAIRN_DATA_DIR: '/d' }, 'linux', '/h')).toBe('/d')
    expect(defaultDataDir({}, 'linux', '/h')).toBe('/h/.config/Cairn')
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/h')).toBe('/x/Cairn')
    expect(defaultDataDir({}, 'darwin', '/h')).toBe('/h/Library/Application Support/Cairn')
  })
})
