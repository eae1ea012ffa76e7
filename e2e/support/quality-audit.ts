import type { Page } from 'playwright-core'

/**
 * In-page checks of what a screen must hold at any size and theme (see docs/ui.md, "Quality
 * checks"). Page-side code is a string: this file is typed for Node, not the DOM. Each check
 * returns findings as short lines ("what: where"), so a failure says what to fix.
 */

export interface AuditOptions {
  /** The least text contrast accepted for normal text (large text gets 3). */
  minContrast?: number
}

const AUDIT = String.raw`(options) => {
  const findings = []
  const vw = window.innerWidth
  const describe = (el) => {
    const id = el.id ? '#' + el.id : ''
    const test = el.getAttribute('data-testid') ? '[data-testid=' + el.getAttribute('data-testid') + ']' : ''
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : ''
    const text = (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40)
    return el.tagName.toLowerCase() + id + test + cls + (text ? ' "' + text + '"' : '')
  }
  const shown = (el) => {
    if (!(el instanceof Element)) return false
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0
  }
  const clips = (el) => {
    const s = getComputedStyle(el)
    return s.overflowX !== 'visible' || s.contain.includes('paint')
  }
  const textOf = (id) => (document.getElementById(id)?.textContent ?? '').trim()
  const nameOf = (el) => {
    const label = el.getAttribute('aria-label')
    if (label && label.trim()) return label.trim()
    const by = el.getAttribute('aria-labelledby')
    if (by) {
      const text = by.split(/\s+/).map(textOf).join(' ').trim()
      if (text) return text
    }
    if (el.labels && el.labels.length) {
      const text = Array.from(el.labels).map((l) => l.textContent.trim()).join(' ').trim()
      if (text) return text
    }
    if (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA') {
      return (el.getAttribute('title') || '').trim()
    }
    const text = (el.textContent || '').trim()
    if (text) return text
    const alt = el.querySelector('img[alt]')?.getAttribute('alt')
    if (alt) return alt
    return (el.getAttribute('title') || '').trim()
  }

  // 1. No sideways scrolling.
  const sideways = document.documentElement.scrollWidth - vw
  if (sideways > 0) findings.push('page scrolls sideways by ' + sideways + 'px')

  const all = Array.from(document.body.querySelectorAll('*')).filter(shown)

  // 2. Nothing wider than the window, nothing sticking out of its card (unless a scroller or a
  // clipping box in between keeps it in).
  for (const el of all) {
    const r = el.getBoundingClientRect()
    if (r.right > vw + 1 || r.left < -1) {
      let clipped = false
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (clips(a)) { clipped = true; break }
      }
      if (!clipped) findings.push('wider than the window (' + Math.round(r.left) + '..' + Math.round(r.right) + '): ' + describe(el))
    }
  }
  // The content column scrolls (so the check above cannot see past it): a box scrolling sideways
  // inside it is a layout that does not hold, unless it is a table made to scroll (.table-wrap).
  for (const el of all) {
    const s = getComputedStyle(el)
    if (s.overflowX !== 'auto' && s.overflowX !== 'scroll') continue
    if (el.matches('.table-wrap, textarea, pre')) continue
    if (el.scrollWidth > el.clientWidth + 1)
      findings.push('scrolls sideways by ' + (el.scrollWidth - el.clientWidth) + 'px: ' + describe(el))
  }
  // A modal dialog sits in the top layer: it is measured as its own card, not against the card
  // whose markup holds it.
  const layer = (el) => el.closest('dialog, [role="dialog"]')
  for (const card of all.filter((el) => el.matches('.card, dialog, [role="dialog"], .toast'))) {
    const box = card.getBoundingClientRect()
    for (const el of card.querySelectorAll('*')) {
      if (!shown(el) || layer(el) !== layer(card)) continue
      const r = el.getBoundingClientRect()
      if (r.right <= box.right + 1 && r.left >= box.left - 1) continue
      let clipped = false
      for (let a = el.parentElement; a && a !== card; a = a.parentElement) {
        if (clips(a)) { clipped = true; break }
      }
      if (!clipped && !clips(card)) findings.push('sticks out of its card by ' + Math.round(Math.max(r.right - box.right, box.left - r.left)) + 'px: ' + describe(el))
    }
  }
  // Text cut without an ellipsis: a box narrower than its text that clips it.
  for (const el of all) {
    if (!el.childNodes.length || !Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue
    const s = getComputedStyle(el)
    if (s.overflowX === 'visible' || s.textOverflow === 'ellipsis') continue
    if (el.matches('input, select, textarea, pre, code, [role="log"]')) continue
    // Text for screen readers only is clipped to 1px on purpose.
    if (el.getBoundingClientRect().width <= 1) continue
    if (el.scrollWidth > el.clientWidth + 1) findings.push('text cut off: ' + describe(el))
  }

  // 3. Every control has a name; ids are unique; pictures that mean something say what.
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue
    if (!nameOf(el)) findings.push('control without a label: ' + describe(el) + ' name=' + (el.getAttribute('name') || ''))
  }
  for (const el of document.querySelectorAll('button, [role="button"], a[href], [role="tab"], summary')) {
    // A hidden default button (Enter submits the form) is for no one to see or reach.
    if (el.hidden || el.closest('[aria-hidden="true"]')) continue
    if (!nameOf(el)) findings.push('button without a name: ' + el.outerHTML.slice(0, 120))
  }
  const ids = new Map()
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1)
  for (const [id, n] of ids) if (n > 1) findings.push('duplicate id "' + id + '" (' + n + ' times)')
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) findings.push('img without alt: ' + img.outerHTML.slice(0, 120))
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.closest('[aria-hidden="true"]')) continue
    if (svg.parentElement?.closest('svg')) continue
    const named = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby') || svg.querySelector(':scope > title')?.textContent?.trim()
    if (!named) findings.push('svg neither aria-hidden nor named: inside ' + describe(svg.parentElement))
  }

  // 4. Text contrast against what is behind it.
  const parse = (c) => {
    const m = c.match(/rgba?\(([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:[ ,/]+([\d.]+%?))?\)/)
    if (!m) return null
    let a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4])
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), a]
  }
  const over = (top, bottom) => {
    const a = top[3]
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1)
  }
  const background = (el) => {
    const layers = []
    for (let a = el; a; a = a.parentElement) {
      const c = parse(getComputedStyle(a).backgroundColor)
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break }
    }
    let color = [255, 255, 255, 1]
    if (layers.length && layers[layers.length - 1][3] >= 1) color = layers.pop()
    while (layers.length) color = over(layers.pop(), color)
    return color
  }
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 })
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
  }
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05) }
  const min = options.minContrast ?? 4.5
  const seen = new Set()
  for (const el of all) {
    if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue
    if (el.closest('[disabled], [aria-disabled="true"], .skeleton, [aria-hidden="true"]')) continue
    const s = getComputedStyle(el)
    const fg = parse(s.color)
    if (!fg) continue
    const bg = background(el)
    const ratio = contrast(over(fg, bg), bg)
    const size = parseFloat(s.fontSize)
    const large = size >= 24 || (size >= 18.6 && parseInt(s.fontWeight, 10) >= 700)
    const need = large ? 3 : min
    const key = s.color + '|' + bg.join(',')
    if (ratio < need && !seen.has(key)) {
      seen.add(key)
      findings.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ' (' + s.color + ' on rgb(' + bg.slice(0, 3).join(',') + ')): ' + describe(el))
    }
  }
  return findings
}`

/** The static checks: layout, names, ids, text alternatives, contrast. */
export async function auditScreen(page: Page, options: AuditOptions = {}): Promise<string[]> {
  return page.evaluate(`(${AUDIT})(${JSON.stringify(options)})`)
}

const FOCUS_STEP = String.raw`(() => {
  const el = document.activeElement
  if (!el || el === document.body || el === document.documentElement) return { where: 'body' }
  const s = getComputedStyle(el)
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'
  // A control styled through its label (radio cards) shows the ring on the label.
  const holder = el.closest('label, .choice, .location-card')
  const holderRing = holder ? (() => { const h = getComputedStyle(holder); return (h.outlineStyle !== 'none' && parseFloat(h.outlineWidth) > 0) || h.boxShadow !== 'none' })() : false
  const r = el.getBoundingClientRect()
  const name = (el.getAttribute('aria-label') || el.innerText || el.getAttribute('name') || el.id || '').trim().replace(/\s+/g, ' ').slice(0, 40)
  return {
    where: el.tagName.toLowerCase() + (el.getAttribute('data-testid') ? '[' + el.getAttribute('data-testid') + ']' : '') + ' "' + name + '"',
    visible: el.matches(':focus-visible'),
    ring: ring || holderRing,
    onScreen: r.width > 0 && r.height > 0,
  }
})()`

interface FocusStep {
  where: string
  visible?: boolean
  ring?: boolean
  onScreen?: boolean
}

/**
 * Tabs through the screen (`presses` times): every control reached shows a focus ring, and focus
 * goes round the page the same way each time, reaching <body> only between rounds (never lost
 * in the middle, never trapped).
 */
export async function auditKeyboard(page: Page, presses = 30): Promise<string[]> {
  const findings: string[] = []
  await page.evaluate(
    '(() => { document.activeElement?.blur?.(); window.getSelection()?.removeAllRanges() })()',
  )
  const steps: FocusStep[] = []
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab')
    steps.push((await page.evaluate(FOCUS_STEP)) as FocusStep)
  }
  // Tab starts where the last click left off and, past the last control, usually visits <body>
  // (the browser's own controls) before starting again at the top. So the presses read as: the
  // rest of one round, then whole rounds. Every round must be the same, and <body> may come only
  // between rounds: a control that drops focus in the middle, or a trap, breaks the pattern.
  const where = steps.map((s) => s.where)
  const trail = () => where.join(' > ')
  const first = where.indexOf('body')
  const second = first === -1 ? -1 : where.indexOf('body', first + 1)
  const round = second === -1 ? [] : where.slice(first + 1, second)
  const controls = where.filter((w) => w !== 'body')
  if (controls.length === 0) findings.push('Tab reaches nothing')
  else if (second !== -1 && round.length === 0) findings.push(`focus stays on <body>: ${trail()}`)
  else if (round.length > 0) {
    const last = round[round.length - 1]
    const periodic = controls.every((w, i) => i < round.length || w === controls[i - round.length])
    const atEnds = where.every((w, i) => w !== 'body' || i === 0 || where[i - 1] === last)
    if (!periodic || !atEnds) findings.push(`Tab does not go round the same way: ${trail()}`)
  }
  for (const s of steps) {
    if (s.where === 'body') continue
    if (!s.visible || !s.ring) findings.push(`no focus ring: ${s.where}`)
    if (!s.onScreen) findings.push(`focus on something not shown: ${s.where}`)
  }
  return [...new Set(findings)]
}
