import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger } from '../../../src/main/core/logging/logger'
import { redact } from '../../../src/main/core/logging/redact'
import { KnownSecrets } from '../../../src/main/core/secrets/known-secrets'

const hetznerToken =
  'Zq8' + 'xY7kP2mN9vB4cR6tW1sD3fG5hJ0lA8eU2iO4yT6rE9wQ1zX3cV5bN7mK0jH2gF4d'.slice(0, 61)
const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

describe('redact', () => {
  it('removes registered secrets wherever they appear', () => {
    const known = new KnownSecrets()
    known.add('my-r2-secret-0123456789')
    expect(
      redact('failed with key my-r2-secret-0123456789 (again my-r2-secret-0123456789)', known),
    ).toBe('failed with key [redacted] (again [redacted])')
  })

  it('removes things shaped like credentials', () => {
    expect(hetznerToken).toHaveLength(64)
    expect(awsSecret).toHaveLength(40)
    expect(redact(`Authorization: Bearer ${hetznerToken}`)).not.toContain(hetznerToken)
    expect(redact(`token ${hetznerToken} refused`)).toBe('token [redacted] refused')
    expect(redact(`secret ${awsSecret} end`)).toBe('secret [redacted] end')
    expect(redact('{"secretAccessKey":"abc123xyz"}')).toBe('{"secretAccessKey":"[redacted]"}')
    expect(redact('url?X-Amz-Signature=deadbeef&x=1')).toBe('url?X-Amz-Signature=[redacted]&x=1')
  })

  it('leaves ordinary text alone: hex digests, paths, hosts', () => {
    const digest = 'ab12'.repeat(16)
    const line = `pack ${digest} written to /home/alice/projects/backups/cairn at api.hetzner.cloud`
    expect(redact(line)).toBe(line)
  })
})

describe('file logger', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-log-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes redacted lines to <dir>/cairn.log, errors included', async () => {
    const known = new KnownSecrets()
    known.add('registered-secret-42')
    const logger = createFileLogger({ dir: join(dir, 'logs'), known })
    logger.info('stored registered-secret-42', { header: `Bearer ${hetznerToken}` })
    logger.error('request failed', new Error(`bad token ${hetznerToken}`))
    const log = await readFile(join(dir, 'logs', 'cairn.log'), 'utf8')
    expect(log).toContain('INFO stored [redacted]')
    expect(log).toContain('ERROR request failed')
    expect(log).not.toContain('registered-secret-42')
    expect(log).not.toContain(hetznerToken)
  })

  it('rotates when the file grows too big', async () => {
    const logger = createFileLogger({ dir, maxBytes: 1000 })
    for (let i = 0; i < 50; i++) logger.info(`line ${i} ${'x'.repeat(50)}`)
    const current = await readFile(join(dir, 'cairn.log'), 'utf8')
    const previous = await readFile(join(dir, 'cairn.log.1'), 'utf8')
    expect(current.length).toBeLessThan(1200)
    expect(previous.length).toBeGreaterThan(900)
    expect(current).toContain('line 49')
  })
})
