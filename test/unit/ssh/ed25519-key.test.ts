import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { afterAll, describe, expect, it } from 'vitest'
import { generateEd25519KeyPair } from '../../../src/main/core/ssh/ed25519-key'

const dir = mkdtempSync(join(tmpdir(), 'cairn-ed25519-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('generateEd25519KeyPair', () => {
  it('makes keys OpenSSH reads, whose public half matches, every time (ssh2 fails ~1 in 128)', () => {
    // 600 keys: with ssh2's generator about 5 of them would be refused by ssh-keygen.
    const files: string[] = []
    const publics: string[] = []
    for (let i = 0; i < 600; i++) {
      const pair = generateEd25519KeyPair(i % 2 ? 'cairn:test' : '')
      const file = join(dir, `k${i}`)
      writeFileSync(file, pair.privateKey, { mode: 0o600 })
      files.push(file)
      publics.push(pair.publicKey.split(' ').slice(0, 2).join(' '))
      // ssh2 parses it too (Cairn logs in with these keys through ssh2).
      const parsed = ssh2.utils.parseKey(pair.privateKey)
      expect(parsed instanceof Error ? parsed.message : parsed.type).toBe('ssh-ed25519')
    }
    // One ssh-keygen per key from node would take long: a shell loop derives every public key.
    const derived = execFileSync(
      'sh',
      ['-c', 'for f in "$@"; do ssh-keygen -y -f "$f" || echo FAILED; done', 'sh', ...files],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    )
      .trim()
      .split('\n')
      .map((l) => l.split(' ').slice(0, 2).join(' '))
    expect(derived).toEqual(publics)
  })

  it('puts the comment on the public key only when given', () => {
    expect(generateEd25519KeyPair('cairn:laptop').publicKey).toMatch(
      /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} cairn:laptop$/,
    )
    expect(generateEd25519KeyPair().publicKey.split(' ')).toHaveLength(2)
  })
})
