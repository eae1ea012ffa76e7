import { describe, expect, it } from 'vitest'
import {
  APP_ENTRY_URL,
  isAppUrl,
  originOf,
  resolveAppLocation,
} from '../../../src/shared/app-location'
import { isAllowedExternalUrl } from '../../../src/shared/external-links'

describe('app location (Electron shell)', () => {
  it('serves a built app from cairn://app and trusts only that origin', () => {
    const location = resolveAppLocation(true, 'http://localhost:5173')
    expect(location.entryUrl).toBe(APP_ENTRY_URL)
    expect(isAppUrl('cairn://app/index.html', location)).toBe(true)
    expect(isAppUrl('cairn://app/assets/x.js?y#z', location)).toBe(true)
    for (const url of [
      'cairn://evil/index.html',
      'http://localhost:5173/',
      'file:///work/main/out/renderer/index.html',
      'https://app/',
      'about:blank',
      'not a url',
    ]) {
      expect(isAppUrl(url, location), url).toBe(false)
    }
  })

  it('uses the dev server only when unpackaged and only on loopback http', () => {
    const dev = resolveAppLocation(false, 'http://localhost:5173/')
    expect(dev).toEqual({
      entryUrl: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
      devServerOrigin: 'http://localhost:5173',
    })
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false)
    expect(resolveAppLocation(false, 'https://evil.example/').entryUrl).toBe(APP_ENTRY_URL)
    expect(resolveAppLocation(false, undefined).entryUrl).toBe(APP_ENTRY_URL)
  })
})

describe('external links', () => {
  it('opens only allow-listed https links', () => {
    for (const url of [
      'https://console.hetzner.cloud/projects',
      'https://docs.hetzner.com/cloud/api/getting-started/generating-api-token',
      'https://dash.cloudflare.com/?to=/:account/r2',
      'https://github.com/restic/restic/issues/299',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(true)
    }
    for (const url of [
      'http://console.hetzner.cloud/',
      'https://hetzner.cloud.evil.example/',
      'https://evilhetzner.cloud/',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
      'cairn://app/index.html',
      'nonsense',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false)
    }
  })
})

describe('originOf', () => {
  it('gives custom schemes a real origin (URL.origin is "null" for them in Node)', () => {
    expect(new URL('cairn://app/x').origin).toBe('null')
    expect(originOf('cairn://app/x')).toBe('cairn://app')
    expect(originOf('cairn://APP/x')).toBe('cairn://app')
    expect(originOf('http://localhost:5173/a')).toBe('http://localhost:5173')
    expect(originOf('https://example.com:443/')).toBe('https://example.com')
    expect(originOf('about:blank')).toBeNull()
    expect(originOf('file:///etc/passwd')).toBeNull()
  })
})
