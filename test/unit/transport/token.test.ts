import { describe, expect, it } from 'vitest'
import { takeAccessToken } from '../../../src/shared/headless'
import { ConnectionStatusStore } from '../../../src/shared/connection-status'

function page(hash: string, stored: Record<string, string> = {}) {
  const replaced: string[] = []
  return {
    location: { hash, pathname: '/', search: '?x=1' },
    history: { replaceState: (_d: unknown, _u: string, url?: string) => replaced.push(url ?? '') },
    storage: {
      getItem: (k: string) => stored[k] ?? null,
      setItem: (k: string, v: string) => void (stored[k] = v),
    },
    replaced,
    stored,
  }
}

describe('takeAccessToken', () => {
  it('takes the token from the fragment, removes it from the address and keeps it for reloads', () => {
    const p = page('#token=abc_DEF-123')
    expect(takeAccessToken(p.location, p.history, p.storage)).toBe('abc_DEF-123')
    expect(p.replaced).toEqual(['/?x=1'])
    expect(Object.values(p.stored)).toEqual(['abc_DEF-123'])

    const reload = page('', p.stored)
    expect(takeAccessToken(reload.location, reload.history, reload.storage)).toBe('abc_DEF-123')
    expect(reload.replaced).toEqual([])
  })

  it('prefers a new link over a stored token and keeps other fragment parameters', () => {
    const p = page('#token=new&view=jobs', { 'cairn.accessToken': 'old' })
    expect(takeAccessToken(p.location, p.history, p.storage)).toBe('new')
    expect(p.replaced).toEqual(['/?x=1#view=jobs'])
  })

  it('returns null without a token, and survives storage that throws', () => {
    const p = page('')
    expect(takeAccessToken(p.location, p.history, p.storage)).toBeNull()
    const broken = {
      getItem: () => {
        throw new Error('denied')
      },
      setItem: () => {
        throw new Error('denied')
      },
    }
    expect(takeAccessToken(p.location, p.history, broken)).toBeNull()
    expect(takeAccessToken(page('#token=t').location, p.history, broken)).toBe('t')
  })
})

describe('ConnectionStatusStore', () => {
  it('tells a subscriber the current status at once and every change after', () => {
    const store = new ConnectionStatusStore()
    const seen: string[] = []
    const off = store.subscribe((s) => seen.push(s.state))
    store.set('open')
    store.set('open')
    store.set('closed', 'gone')
    off()
    store.set('open')
    expect(seen).toEqual(['connecting', 'open', 'closed'])
    expect(store.get()).toEqual({ state: 'open', message: null })
  })
})
