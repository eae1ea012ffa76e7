import { describe, expect, it } from 'vitest'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import type { HetznerServer } from '../../../src/main/core/hetzner/types'
import { nameFromTags } from '../../../src/main/core/workspaces/discover'
import { findOrphans } from '../../../src/main/core/workspaces/orphans'

const server = (id: number, labels: Record<string, string>): HetznerServer => ({
  id,
  name: `s${id}`,
  status: 'running',
  created: new Date(Date.now() - 90 * 60_000).toISOString(),
  ipv4: '10.0.0.1',
  ipv6: null,
  serverType: 'cx22',
  memoryGb: 4,
  diskGb: 40,
  location: 'fsn1',
  imageId: 1,
  labels,
})
const cairn = (ws: string) => ({ 'managed-by': 'cairn', 'workspace-id': ws })
const record = (id: string, over: Partial<WorkspaceRecord>) => ({ id, ...over }) as WorkspaceRecord
const prices = () => ({ priceHourly: '0.0100', priceMonthly: '5.0000' })

describe('findOrphans', () => {
  it('keeps only Cairn servers that no record accounts for, with their cost', () => {
    const records = [
      record('ws-a', { server: { id: 1 } as WorkspaceRecord['server'], pending: null }),
      record('ws-b', { server: null, pending: { serverId: 2 } as WorkspaceRecord['pending'] }),
      record('ws-c', { server: null, pending: null }),
      record('ws-d', { server: null, pending: null }),
    ]
    const orphans = findOrphans(
      [
        server(1, cairn('ws-a')), // the record's server
        server(2, cairn('ws-b')), // named by a pending operation
        server(3, cairn('ws-c')), // ws-c has a job running: its create may not be recorded yet
        server(4, cairn('ws-d')), // ws-d is stopped and knows no server: an orphan
        server(5, {}), // not Cairn's
        server(6, cairn('ws-unknown')),
      ],
      records,
      new Set(['ws-c']),
      prices,
    )
    expect(orphans.map((o) => o.serverId)).toEqual([4, 6])
    expect(orphans[0]).toMatchObject({ workspaceId: 'ws-d', hourlyEur: 0.01, monthlyEur: 5 })
    expect(orphans[0]!.runningEur).toBeCloseTo(0.02, 6) // two started hours
  })

  it('shows an orphan whose price is unknown at zero rather than hiding it', () => {
    const [orphan] = findOrphans([server(9, cairn('x'))], [], new Set(), () => null)
    expect(orphan).toMatchObject({ serverId: 9, runningEur: 0, hourlyEur: 0 })
  })
})

describe('nameFromTags', () => {
  it('takes the last valid name: tag', () => {
    expect(nameFromTags(['stop', 'name:web'])).toBe('web')
    expect(nameFromTags(['name:old', 'name:new'])).toBe('new')
    expect(nameFromTags(['name:new', 'name:Not Valid'])).toBe('new')
    expect(nameFromTags(['stop'])).toBeNull()
  })
})
