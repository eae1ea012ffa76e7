import { describe, expect, it } from 'vitest'
import { navigationFor, trayActionNavigation } from '../../../src/main/core/desktop/tray-actions'
import { trayModel, type TrayItem } from '../../../src/main/core/desktop/tray-menu'
import { applyTrayEvent, emptyTrayState } from '../../../src/main/core/desktop/tray-state'
import { events } from '../../../src/shared/contract'
import { T0, list, orphan, workspace } from './fixtures'

function find(items: TrayItem[], label: string): TrayItem & { type: 'item' } {
  for (const item of items) {
    if (item.type !== 'item') continue
    if (item.label.startsWith(label)) return item
    const inner = item.submenu?.find((i) => i.type === 'item' && i.label.startsWith(label))
    if (inner && inner.type === 'item') return inner
  }
  throw new Error(`no item ${label}`)
}

describe('where the tray and notifications send the window', () => {
  const state = applyTrayEvent(emptyTrayState(), {
    event: 'workspaces.reconciled',
    payload: list([workspace({ name: 'web' })], {
      orphans: [orphan()],
    }),
  })
  const items = trayModel(state, T0).items

  it("opens a workspace's page from its Show in Cairn", () => {
    const show = find(items, 'Show in Cairn')
    expect(trayActionNavigation(show.action!)).toEqual({ page: 'workspace', workspaceId: 'ws-web' })
  })

  it('opens the list for an orphan server, and leaves the page alone for Open Cairn', () => {
    expect(trayActionNavigation(find(items, 'Decide in Cairn').action!)).toEqual({
      page: 'workspaces',
    })
    expect(trayActionNavigation(find(items, 'Open Cairn').action!)).toBeNull()
    expect(trayActionNavigation(find(items, 'Quit Cairn').action!)).toBeNull()
    expect(trayActionNavigation({ kind: 'backup', workspaceId: 'ws-web' })).toBeNull()
  })

  it('maps a notification about a workspace to its page, one about none to nowhere', () => {
    expect(navigationFor('ws-web')).toEqual({ page: 'workspace', workspaceId: 'ws-web' })
    expect(navigationFor(null)).toBeNull()
  })

  it('sends only navigations the contract accepts', () => {
    const schema = events['app.navigate'].payload
    expect(schema.safeParse(navigationFor('ws-web')).success).toBe(true)
    expect(schema.safeParse({ page: 'workspaces' }).success).toBe(true)
    expect(schema.safeParse({ page: 'workspace' }).success).toBe(false)
    expect(schema.safeParse({ page: 'onboarding' }).success).toBe(false)
  })
})
