import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  hostKeyMatches,
  hostKeyAlgorithmsFor,
  parsePinnedHostKey,
} from '../../../src/main/core/ssh/host-key'

function keypair(type: string): { pub: string; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-hk-'))
  try {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'c', '-f', join(dir, 'k')])
    const pub = readFileSync(join(dir, 'k.pub'), 'utf8').trim()
    const fingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'k.pub')])
      .toString()
      .split(' ')[1] as string
    return { pub, fingerprint }
  } finally {
    rmSync(dir, { recursive: true })
  }
}

describe('pinned host keys', () => {
  it('accepts a public key line, a known_hosts line or a fingerprint, matching ssh-keygen', () => {
    const { pub, fingerprint } = keypair('ed25519')
    const blob = Buffer.from(pub.split(' ')[1] as string, 'base64')
    const fromKey = parsePinnedHostKey(pub)
    expect(fromKey.fingerprint).toBe(fingerprint)
    expect(hostKeyMatches(fromKey, blob)).toBe(true)
    expect(hostKeyMatches(parsePinnedHostKey(`[127.0.0.5]:22 ${pub}`), blob)).toBe(true)
    expect(hostKeyMatches(parsePinnedHostKey(fingerprint), blob)).toBe(true)
    expect(hostKeyAlgorithmsFor(fromKey)).toEqual(['ssh-ed25519'])
    const other = Buffer.from(keypair('ed25519').pub.split(' ')[1] as string, 'base64')
    expect(hostKeyMatches(fromKey, other)).toBe(false)
    expect(hostKeyMatches(parsePinnedHostKey(fingerprint), other)).toBe(false)
  })

  it('refuses malformed keys', () => {
    expect(() => parsePinnedHostKey('ssh-ed25519')).toThrow()
    expect(() => parsePinnedHostKey('SHA256:short')).toThrow()
    const { pub } = keypair('ed25519')
    expect(() => parsePinnedHostKey(pub.replace('ssh-ed25519', 'ssh-rsa'))).toThrow(/do not agree/)
  })
})
