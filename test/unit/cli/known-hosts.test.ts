import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  findKnownHostKeys,
  knownHostsName,
  pinnedKeyFromKnownHosts,
} from '../../../src/cli/known-hosts'
import { CairnError } from '../../../src/shared/errors'

const dir = mkdtempSync(join(tmpdir(), 'cairn-known-hosts-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function publicKey(name: string, type = 'ed25519'): string {
  const file = join(dir, name)
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file])
  const [keyType, key] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ')
  return `${keyType} ${key}`
}

const ed = publicKey('ed')
const ecdsa = publicKey('ecdsa', 'ecdsa')
const other = publicKey('other')

describe('known_hosts', () => {
  it('names hosts the way OpenSSH does', () => {
    expect(knownHostsName('Example.COM', 22)).toBe('example.com')
    expect(knownHostsName('127.0.0.5', 2222)).toBe('[127.0.0.5]:2222')
  })

  it('finds plain, [host]:port and pattern entries, best key type first', () => {
    const text = [
      '# comment',
      '',
      `[127.0.0.5]:2222 ${ecdsa}`,
      `127.0.0.5 ${other}`,
      `[127.0.0.5]:2222,[10.0.0.1]:2222 ${ed} a comment`,
      `*.example.com,!bad.example.com ${other}`,
    ].join('\n')
    expect(findKnownHostKeys(text, '127.0.0.5', 2222).map((k) => `${k.type} ${k.key}`)).toEqual([
      ed,
      ecdsa,
    ])
    expect(findKnownHostKeys(text, '127.0.0.5', 22).map((k) => `${k.type} ${k.key}`)).toEqual([
      other,
    ])
    expect(findKnownHostKeys(text, 'a.example.com', 22)).toHaveLength(1)
    expect(findKnownHostKeys(text, 'bad.example.com', 22)).toHaveLength(0)
    // A bare pattern does not match another port.
    expect(findKnownHostKeys(text, 'a.example.com', 2222)).toHaveLength(0)
  })

  it('reads entries hashed by ssh-keygen -H', () => {
    const file = join(dir, 'known_hosts_hashed')
    writeFileSync(file, `[127.0.0.9]:2200 ${ed}\nexample.org ${ecdsa}\n`)
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' })
    const text = readFileSync(file, 'utf8')
    expect(text).not.toContain('127.0.0.9')
    expect(text).toMatch(/^\|1\|/)
    expect(pinnedKeyFromKnownHosts(text, '127.0.0.9', 2200, file)).toBe(ed)
    expect(pinnedKeyFromKnownHosts(text, 'example.org', 22, file)).toBe(ecdsa)
    expect(findKnownHostKeys(text, '127.0.0.9', 22)).toHaveLength(0)
  })

  it('drops @revoked keys and ignores @cert-authority lines', () => {
    const text = [
      `@cert-authority *.example.com ${other}`,
      `host.example.com ${ed}`,
      `host.example.com ${ecdsa}`,
      `@revoked * ${ed}`,
    ].join('\n')
    expect(pinnedKeyFromKnownHosts(text, 'host.example.com', 22, 'kh')).toBe(ecdsa)
  })

  it('refuses a host that is not listed, saying how to add it (no trust on first use)', () => {
    try {
      pinnedKeyFromKnownHosts(`other.host ${ed}\n`, '127.0.0.5', 2222, '/tmp/kh')
      throw new Error('expected a refusal')
    } catch (error) {
      expect(error).toBeInstanceOf(CairnError)
      expect((error as CairnError).code).toBe('not_configured')
      expect((error as CairnError).message).toContain('[127.0.0.5]:2222')
      expect((error as CairnError).message).toContain('--host-key')
    }
  })
})
