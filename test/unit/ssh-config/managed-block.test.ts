import { describe, expect, it } from 'vitest'
import {
  applyBlock,
  BLOCK_BEGIN,
  BLOCK_END,
  renderBlock,
  type HostEntry,
} from '../../../src/main/core/ssh-config/managed-block'
import { sshHostAlias } from '../../../src/main/core/ssh-config/host-alias'
import { renderKnownHosts } from '../../../src/main/core/ssh-config/known-hosts'
import { sshConfigPath } from '../../../src/main/core/ssh-config/config-values'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'

const files = { identityFile: '/d/ssh/id_ed25519', knownHostsFile: '/d/ssh/known_hosts' }
const entry = (alias: string, hostName = '203.0.113.7', port = 22): HostEntry => ({
  alias,
  hostName,
  port,
  user: 'dev',
})
const block = (...aliases: string[]) =>
  renderBlock(
    aliases.map((a) => entry(a)),
    files,
  )

const originals: Record<string, string> = {
  empty: '',
  'one line, no final newline': 'ServerAliveInterval 60',
  'Host * and Match above nothing':
    'Host *\n  User root\n  Port 2\nMatch host x exec "true"\n  User y\n',
  includes:
    'Include ~/.orbstack/ssh/config\nInclude config.d/*\n\nHost gh\n  HostName github.com\n',
  crlf: 'Host a\r\n  HostName a.example\r\n\r\nHost *\r\n  ForwardAgent no',
  'byte order mark': '\uFEFFHost a\n  User b\n',
  'byte order mark read as latin1': '\xEF\xBB\xBFHost a\n',
  'trailing blank lines and tabs': 'Host\ta\n\tUser b\n\n\n',
}

describe('applyBlock', () => {
  for (const [name, original] of Object.entries(originals)) {
    it(`${name}: adds at the top, keeps the rest byte for byte, is idempotent, removes cleanly`, () => {
      const added = applyBlock(original, block('cairn-a', 'cairn-b'))!
      const bom = /^(\uFEFF|\xEF\xBB\xBF)/.exec(original)?.[0] ?? ''
      expect(added.startsWith(bom + BLOCK_BEGIN)).toBe(true)
      expect(added.endsWith(original.slice(bom.length))).toBe(true)
      expect(applyBlock(added, block('cairn-a', 'cairn-b'))).toBe(added)
      expect(applyBlock(added, null)).toBe(original)
      // Changing the entries touches only the block.
      const changed = applyBlock(added, block('cairn-c'))!
      expect(changed.endsWith(original.slice(bom.length))).toBe(true)
      expect(changed).toContain('Host cairn-c')
      expect(changed).not.toContain('Host cairn-a')
      expect(applyBlock(changed, null)).toBe(original)
    })
  }

  it('uses the file’s CRLF line endings for the block', () => {
    const added = applyBlock(originals.crlf!, block('cairn-a'))!
    const head = added.slice(0, added.length - originals.crlf!.length)
    expect(head).not.toMatch(/[^\r]\n/)
    expect(head.endsWith(`${BLOCK_END}\r\n`)).toBe(true)
  })

  it('creates a file holding only the block, and leaves no file when there is nothing', () => {
    expect(applyBlock(null, block('cairn-a'))).toBe(block('cairn-a').join('\n') + '\n')
    expect(applyBlock(null, null)).toBeNull()
    expect(applyBlock('Host x\n', null)).toBe('Host x\n')
  })

  it('keeps a block the user moved where it is, and drops extra copies', () => {
    const before = 'Host first\n  User a\n'
    const after = 'Host last\n  User b'
    const moved = before + block('cairn-a').join('\n') + '\n' + after
    const updated = applyBlock(moved, block('cairn-z'))!
    expect(updated).toBe(before + block('cairn-z').join('\n') + '\n' + after)
    const twice = moved + '\n' + block('cairn-old').join('\n') + '\n# tail\n'
    expect(applyBlock(twice, null)).toBe(before + after + '\n# tail\n')
  })

  it('refuses to touch a file whose markers do not pair up', () => {
    for (const text of [
      `${BLOCK_BEGIN}\nHost cairn-a\n`,
      `Host x\n${BLOCK_END}\n`,
      `${BLOCK_BEGIN}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`,
    ]) {
      expect(() => applyBlock(text, block('cairn-a'))).toThrow(
        expect.objectContaining({ code: 'conflict' }),
      )
    }
  })
})

describe('renderBlock', () => {
  it('writes one Host section per workspace with the pinned-key options, then resets to Host *', () => {
    const lines = renderBlock([entry('cairn-web', '127.0.0.5', 2222)], files)
    expect(lines).toEqual([
      BLOCK_BEGIN,
      'Host cairn-web',
      '  HostName 127.0.0.5',
      '  Port 2222',
      '  User dev',
      '  IdentityFile "/d/ssh/id_ed25519"',
      '  IdentitiesOnly yes',
      '  HostKeyAlias cairn-web',
      '  UserKnownHostsFile "/d/ssh/known_hosts"',
      '  StrictHostKeyChecking yes',
      '  UpdateHostKeys no',
      '  CheckHostIP no',
      'Host *',
      BLOCK_END,
    ])
  })

  it('refuses duplicate, malformed or pattern aliases and odd hosts', () => {
    expect(() => block('cairn-a', 'cairn-a')).toThrow(/both be "cairn-a"/)
    for (const alias of ['cairn-*', 'other', 'cairn-a b', 'cairn-'])
      expect(() => block(alias)).toThrow()
    expect(() => renderBlock([entry('cairn-a', 'evil\n  ProxyCommand x')], files)).toThrow()
    expect(() => renderBlock([entry('cairn-a', 'h', 0)], files)).toThrow()
  })
})

describe('sshConfigPath', () => {
  it('quotes paths with spaces, escapes quotes and backslashes, doubles %', () => {
    expect(
      sshConfigPath('/Users/a b/Library/Application Support/Cairn/ssh/id_ed25519', 'darwin'),
    ).toBe('"/Users/a b/Library/Application Support/Cairn/ssh/id_ed25519"')
    expect(sshConfigPath('/x/100%/"q"\\', 'linux')).toBe('"/x/100%%/\\"q\\"\\\\"')
    expect(sshConfigPath('C:\\Users\\A\\AppData\\Roaming\\Cairn\\ssh\\id', 'win32')).toBe(
      '"C:/Users/A/AppData/Roaming/Cairn/ssh/id"',
    )
    expect(() => sshConfigPath('/x\ny', 'linux')).toThrow()
  })
})

describe('sshHostAlias', () => {
  it('makes cairn-<slug> from a workspace name', () => {
    expect(sshHostAlias('My Project')).toBe('cairn-my-project')
    expect(sshHostAlias('  Über_API v2!! ')).toBe('cairn-uber-api-v2')
    expect(sshHostAlias('x'.repeat(80))).toBe(`cairn-${'x'.repeat(54)}`)
    expect(() => sshHostAlias('***')).toThrow(expect.objectContaining({ code: 'invalid_input' }))
  })
})

describe('renderKnownHosts', () => {
  it('lists each host key under its alias, sorted', () => {
    const a = generateHostKey()
    const b = generateHostKey()
    const text = renderKnownHosts([
      { alias: 'cairn-b', hostKey: b.publicKey },
      { alias: 'cairn-a', hostKey: `${a.publicKey} a comment` },
    ])
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^# /),
      `cairn-a ${a.publicKey}`,
      `cairn-b ${b.publicKey}`,
      '',
    ])
  })
})
