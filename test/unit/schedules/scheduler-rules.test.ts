import { describe, expect, it } from 'vitest'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { sampleForVerify } from '../../../src/main/core/schedules/scheduled-verify'
import { canBackUp } from '../../../src/main/core/schedules/scheduler'

describe('which restore points a scheduled verify reads', () => {
  it('the newest always, then up to two others, never twice', () => {
    expect(sampleForVerify([])).toEqual([])
    expect(sampleForVerify(['a'])).toEqual(['a'])
    expect(sampleForVerify(['a', 'b'])).toEqual(['b', 'a'])
    for (let i = 0; i < 50; i++) {
      const picked = sampleForVerify(['a', 'b', 'c', 'd', 'e', 'f'])
      expect(picked).toHaveLength(3)
      expect(picked[0]).toBe('f')
      expect(new Set(picked).size).toBe(3)
    }
  })

  it('over many runs every restore point gets picked', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) for (const p of sampleForVerify(['a', 'b', 'c', 'd'])) seen.add(p)
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('which workspaces a scheduled backup is for', () => {
  const ssh = {
    host: '127.0.0.1',
    port: 22,
    user: 'dev',
    hostKey: 'ssh-ed25519 AAAA',
    hostKeyFingerprint: 'SHA256:x',
    keyId: 'k',
  }
  const server = { id: 1 } as WorkspaceRecord['server']
  const record = (over: Partial<WorkspaceRecord>) =>
    ({
      provider: 'hetzner',
      state: 'running',
      server,
      ssh,
      pending: null,
      ...over,
    }) as WorkspaceRecord

  it('a running Hetzner workspace and a brought SSH host; nothing stopped, busy or unreachable', () => {
    expect(canBackUp(record({}))).toBe(true)
    expect(canBackUp(record({ provider: 'ssh', server: null }))).toBe(true)
    expect(canBackUp(record({ state: 'stopped', server: null, ssh: null }))).toBe(false)
    expect(canBackUp(record({ state: 'stopping' }))).toBe(false)
    expect(canBackUp(record({ state: 'error' }))).toBe(false)
    expect(
      canBackUp(record({ pending: { kind: 'stop' } as unknown as WorkspaceRecord['pending'] })),
    ).toBe(false)
    expect(canBackUp(record({ ssh: null }))).toBe(false)
  })
})
