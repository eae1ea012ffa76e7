import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { APP_CSP_META } from '../../../src/shared/csp'

// The meta tag has to be literal HTML, so it is a copy; this keeps the copy equal to the source.
describe('renderer CSP meta tag', () => {
  const html = readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8')
  const tags = [
    ...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/g),
  ]

  it('is present exactly once', () => {
    expect(tags).toHaveLength(1)
  })

  it('equals APP_CSP_META', () => {
    expect(tags[0]?.[1]).toBe(APP_CSP_META)
  })

  it('allows no inline code, eval or remote origin', () => {
    const policy = tags[0]?.[1] ?? ''
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/)
  })
})
