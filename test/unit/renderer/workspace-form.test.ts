import { describe, expect, it } from 'vitest'
import { workspaceCreateInputSchema } from '../../../src/shared/domain/workspace'
import {
  emptyWorkspaceDraft,
  toCreateInput,
  validateWorkspaceDraft,
  workspaceFieldOf,
  type WorkspaceDraft,
} from '../../../src/renderer/src/lib/workspace-form'
import {
  formatAge,
  formatEur,
  jobFraction,
  runningCost,
} from '../../../src/renderer/src/lib/workspace-format'

function draft(patch: Partial<WorkspaceDraft> = {}): WorkspaceDraft {
  return { ...emptyWorkspaceDraft('fsn1', 'cx22'), name: 'web-app', ...patch }
}

describe('workspace create form', () => {
  it('accepts the defaults with a name, and the contract accepts what it sends', () => {
    expect(validateWorkspaceDraft(draft())).toEqual({})
    const input = toCreateInput(draft())
    expect(input).toMatchObject({ idleTimeoutMinutes: 30, paths: ['/home/dev'] })
    expect(workspaceCreateInputSchema.safeParse(input).success).toBe(true)
  })

  it("starts from the user's default auto-stop (Settings > General), off included", () => {
    const ninety = { ...emptyWorkspaceDraft('fsn1', 'cx22', 90), name: 'web-app' }
    expect(ninety).toMatchObject({ idleEnabled: true, idleMinutes: '90' })
    expect(toCreateInput(ninety).idleTimeoutMinutes).toBe(90)
    const off = { ...emptyWorkspaceDraft('fsn1', 'cx22', null), name: 'web-app' }
    expect(off).toMatchObject({ idleEnabled: false, idleMinutes: '30' })
    expect(toCreateInput(off).idleTimeoutMinutes).toBeNull()
  })

  it('sends null for auto-stop off, and one path per non-empty line', () => {
    const input = toCreateInput(
      draft({ idleEnabled: false, idleMinutes: 'x', paths: ' /home/dev \n\n/srv/data\n' }),
    )
    expect(input.idleTimeoutMinutes).toBeNull()
    expect(input.paths).toEqual(['/home/dev', '/srv/data'])
    expect(workspaceCreateInputSchema.safeParse(input).success).toBe(true)
  })

  it('flags what the contract would refuse, per field', () => {
    for (const name of ['', 'Web', 'web_app', '-web', 'web-', 'a'.repeat(41)]) {
      expect(validateWorkspaceDraft(draft({ name })).name, name).toBeTruthy()
      expect(workspaceCreateInputSchema.safeParse(toCreateInput(draft({ name }))).success).toBe(
        false,
      )
    }
    for (const idleMinutes of ['4', '10081', '1.5', '', 'abc']) {
      expect(validateWorkspaceDraft(draft({ idleMinutes })).idleTimeoutMinutes).toBeTruthy()
    }
    expect(validateWorkspaceDraft(draft({ idleEnabled: false, idleMinutes: '' }))).toEqual({})
    expect(validateWorkspaceDraft(draft({ paths: 'home/dev' })).paths).toMatch(/absolute/)
    expect(validateWorkspaceDraft(draft({ paths: '  \n ' })).paths).toMatch(/at least one/)
    expect(validateWorkspaceDraft(draft({ location: '', serverType: '' }))).toMatchObject({
      location: 'Choose a location.',
      serverType: expect.any(String),
    })
  })

  it('maps the core invalid_input paths to fields', () => {
    expect(workspaceFieldOf('paths.0')).toBe('paths')
    expect(workspaceFieldOf('name')).toBe('name')
    expect(workspaceFieldOf('fallbackLocations.0')).toBeNull()
  })
})

describe('workspace formatting', () => {
  const hour = 3_600_000
  it('counts every started hour, capped at the monthly price', () => {
    const created = Date.parse('2026-01-01T00:00:00Z')
    const server = { createdAt: '2026-01-01T00:00:00Z', priceHourly: '0.01', priceMonthly: '5' }
    expect(runningCost(server, created + 1000)).toBeCloseTo(0.01)
    expect(runningCost(server, created + 2.5 * hour)).toBeCloseTo(0.03)
    expect(runningCost(server, created + 2000 * hour)).toBe(5)
  })

  it('formats money and ages for people', () => {
    expect(formatEur(4.51)).toBe('€4.51')
    expect(formatEur(0.0071)).toBe('€0.0071')
    expect(formatEur(0)).toBe('€0.00')
    expect(formatEur(1234.5)).toBe('€1,234.50')
    const now = Date.parse('2026-01-10T12:00:00Z')
    expect(formatAge(null, now)).toBe('never')
    expect(formatAge('2026-01-10T11:59:30Z', now)).toBe('just now')
    expect(formatAge('2026-01-10T11:18:00Z', now)).toBe('42 min ago')
    expect(formatAge('2026-01-10T07:00:00Z', now)).toBe('5 h ago')
    expect(formatAge('2026-01-07T12:00:00Z', now)).toBe('3 days ago')
  })

  it('knows a job fraction only from a total', () => {
    const job = { bytesDone: 50, bytesTotal: 200, filesDone: 0, filesTotal: null }
    expect(jobFraction(job)).toBe(0.25)
    expect(jobFraction({ ...job, bytesTotal: null })).toBeNull()
    expect(jobFraction({ ...job, bytesTotal: null, filesDone: 3, filesTotal: 4 })).toBe(0.75)
  })
})
