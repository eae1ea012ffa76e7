import { describe, expect, it } from 'vitest'
import {
  emptyActivityFilter,
  filterJobs,
  jobDurationSeconds,
} from '../../../src/renderer/src/lib/workspace-activity'
import { job } from './job-fixture'

const jobs = [
  job({ id: '1' }),
  job({
    id: '2',
    kind: 'stop',
    state: 'failed',
    error: { code: 'remote_error', message: 'Hetzner refused' },
  }),
  job({ id: '3', workspaceId: 'ws-b', state: 'running', finishedAt: null }),
  job({ id: '4', workspaceId: null, kind: 'prune', state: 'queued', title: 'Prune' }),
]
const names: Record<string, string> = { 'ws-a': 'alpha', 'ws-b': 'beta' }
const ids = (filter: Partial<typeof emptyActivityFilter>) =>
  filterJobs(jobs, { ...emptyActivityFilter, ...filter }, (id) => names[id] ?? null).map(
    (j) => j.id,
  )

describe('Activity filters', () => {
  it('keeps everything, in order, without a filter', () => {
    expect(ids({})).toEqual(['1', '2', '3', '4'])
  })
  it('filters by kind, state (active = queued or running) and workspace (none = no workspace)', () => {
    expect(ids({ kind: 'stop' })).toEqual(['2'])
    expect(ids({ state: 'failed' })).toEqual(['2'])
    expect(ids({ state: 'active' })).toEqual(['3', '4'])
    expect(ids({ workspaceId: 'ws-b' })).toEqual(['3'])
    expect(ids({ workspaceId: 'none' })).toEqual(['4'])
    expect(ids({ kind: 'backup', workspaceId: 'ws-a' })).toEqual(['1'])
  })
  it('matches text in the title, the error and the workspace name, ignoring case', () => {
    expect(ids({ text: 'REFUSED' })).toEqual(['2'])
    expect(ids({ text: 'beta' })).toEqual(['3'])
    expect(ids({ text: '  prune ' })).toEqual(['4'])
    expect(ids({ text: 'nothing like it' })).toEqual([])
  })
})

describe('jobDurationSeconds', () => {
  it('is finish minus start, or until now while running, and null before a start', () => {
    expect(jobDurationSeconds(jobs[0]!, 0)).toBe(90)
    expect(jobDurationSeconds(jobs[2]!, Date.parse('2025-01-01T10:00:10.000Z'))).toBe(10)
    expect(jobDurationSeconds(job({ startedAt: null }), 0)).toBeNull()
  })
})
