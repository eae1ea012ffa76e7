import { createHash } from 'node:crypto'
import { generateEd25519KeyPair } from '../../../src/main/core/ssh/ed25519-key'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/main/core/logging/logger'
import { hetznerErrorToCairn } from '../../../src/main/core/hetzner/error-mapping'
import {
  classifyFailure,
  HetznerHttpError,
  NetworkError,
  networkErrorFrom,
  retryAt,
  retryDecision,
} from '../../../src/main/core/hetzner/http-failure'
import {
  assertValidLabels,
  isValidLabelKey,
  isValidLabelValue,
  labelSelector,
} from '../../../src/main/core/hetzner/labels'
import { hetznerFingerprint } from '../../../src/main/core/hetzner/ssh-keys'

const http = (status: number, code: string | null) => new HetznerHttpError(status, code, 'm', null)

describe('classifyFailure', () => {
  it('retries refusals for any method, uncertain failures only when idempotent', () => {
    for (const code of ['locked', 'conflict', 'unavailable', 'maintenance']) {
      expect(classifyFailure(http(409, code))).toEqual({ kind: 'retry' })
      expect(retryDecision(http(409, code), false)).toEqual({ retry: true })
    }
    for (const failure of [
      http(504, 'timeout'),
      http(500, 'server_error'),
      http(502, null),
      new NetworkError('no answer within 15 s', true, true),
    ]) {
      expect(classifyFailure(failure)).toEqual({ kind: 'uncertain' })
      expect(retryDecision(failure, true)).toEqual({ retry: true })
      expect(retryDecision(failure, false)).toEqual({ retry: false })
    }
    for (const failure of [
      http(400, 'invalid_input'),
      http(412, 'placement_error'),
      http(404, null),
    ])
      expect(classifyFailure(failure)).toEqual({ kind: 'final' })
  })

  it('waits for the time a 429 names', () => {
    const now = Date.now()
    const limited = new HetznerHttpError(429, 'rate_limit_exceeded', 'slow down', now + 1500)
    const decision = classifyFailure(limited, now)
    expect(decision).toEqual({ kind: 'retry', afterMs: 1500 })
  })

  it('tells a failure before sending (safe to repeat) from one after', () => {
    const refused = networkErrorFrom(new TypeError('x', { cause: { code: 'ECONNREFUSED' } }))
    expect(refused).toMatchObject({ retryable: false, sent: false })
    const dns = networkErrorFrom(new TypeError('x', { cause: { code: 'EAI_AGAIN' } }))
    expect(classifyFailure(dns)).toEqual({ kind: 'retry' })
    const reset = networkErrorFrom(new TypeError('x', { cause: { code: 'ECONNRESET' } }))
    expect(classifyFailure(reset)).toEqual({ kind: 'uncertain' })
  })
})

describe('retryAt', () => {
  const now = 1_700_000_000_000
  it('prefers Retry-After, else one refill (3600/limit s) capped by RateLimit-Reset', () => {
    expect(retryAt(new Headers({ 'retry-after': '7' }), now)).toBe(now + 7000)
    const reset = String(now / 1000 + 30)
    expect(retryAt(new Headers({ 'ratelimit-limit': '3600', 'ratelimit-reset': reset }), now)).toBe(
      now + 1000,
    )
    expect(retryAt(new Headers({ 'ratelimit-limit': '1', 'ratelimit-reset': reset }), now)).toBe(
      now + 30_000,
    )
    expect(retryAt(new Headers(), now)).toBeNull()
  })
})

describe('hetznerErrorToCairn', () => {
  const map = (e: unknown) => hetznerErrorToCairn(e, 'api.example', silentLogger)
  it("keeps Hetzner's code and message", () => {
    const e = map(new HetznerHttpError(412, 'placement_error', 'no room', null))
    expect(e).toMatchObject({
      code: 'remote_error',
      message: 'Hetzner answered 412 (placement_error): no room',
      details: { status: 412, hetznerCode: 'placement_error', hetznerMessage: 'no room' },
    })
    expect(map(http(404, 'not_found'))).toMatchObject({ code: 'not_found' })
    expect(map(http(409, 'uniqueness_error'))).toMatchObject({ code: 'conflict' })
    expect(map(http(401, 'unauthorized'))).toMatchObject({ code: 'unauthorized' })
    expect(map(http(403, 'token_readonly'))).toMatchObject({ code: 'forbidden' })
    expect(map(new NetworkError('the connection was dropped', true, true))).toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('api.example (the connection was dropped)'),
    })
  })
})

describe('labels', () => {
  it('follows Hetzner’s rules for keys and values', () => {
    for (const v of ['', 'cairn', 'ws-1', 'a.b_c-d', 'x'.repeat(63)])
      expect(isValidLabelValue(v)).toBe(true)
    for (const v of ['-a', 'a-', 'a b', 'x'.repeat(64), 'ä', 'a/b', 'a=b'])
      expect(isValidLabelValue(v)).toBe(false)
    for (const k of ['managed-by', 'workspace-id', 'example.com/role', 'a'])
      expect(isValidLabelKey(k)).toBe(true)
    for (const k of ['', 'hetzner.cloud/x', 'a.hetzner.cloud/x', 'Bad_Prefix/x', '-x', 'x/'])
      expect(isValidLabelKey(k)).toBe(false)
  })

  it('builds selectors and refuses invalid labels with the offending value', () => {
    expect(labelSelector({ 'managed-by': 'cairn', 'workspace-id': 'ws1' })).toBe(
      'managed-by=cairn,workspace-id=ws1',
    )
    expect(() => assertValidLabels({ 'workspace-id': 'has space' })).toThrow(/"has space"/)
  })
})

describe('hetznerFingerprint', () => {
  it('is the MD5 of the key blob, colon separated (as Hetzner shows it)', () => {
    const pair = generateEd25519KeyPair('c')
    const blob = Buffer.from(pair.publicKey.split(' ')[1]!, 'base64')
    const md5 = createHash('md5').update(blob).digest('hex')
    expect(hetznerFingerprint(pair.publicKey)).toBe(md5.match(/../g)!.join(':'))
    expect(() => hetznerFingerprint('nonsense')).toThrow(/not an OpenSSH public key/)
  })
})
