import type { Job } from '../../../src/shared/domain/jobs'
import type {
  OrphanServer,
  WorkspaceList,
  WorkspaceView,
} from '../../../src/shared/domain/workspace'
import type { IdleState } from '../../../src/shared/domain/idle'
import { workspaceRecord } from '../../support/workspace-record'

export const T0 = Date.parse('2025-05-01T10:00:00.000Z')

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    workspaceId: 'ws-web',
    kind: 'backup',
    title: 'Back up web',
    state: 'succeeded',
    phase: 'done',
    filesDone: 120,
    filesTotal: 120,
    bytesDone: 3_400_000,
    bytesTotal: 3_400_000,
    currentPath: null,
    rate: null,
    eta: null,
    createdAt: new Date(T0).toISOString(),
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 1000).toISOString(),
    error: null,
    ...overrides,
  }
}

/** A running Hetzner workspace as the list shows it: the shared test record plus its view fields. */
export function workspace(overrides: Partial<WorkspaceView> = {}): WorkspaceView {
  const name = overrides.name ?? 'web'
  return {
    ...workspaceRecord({
      id: `ws-${name}`,
      name,
      state: 'running',
      createdAt: new Date(T0).toISOString(),
    }),
    cost: { runningEur: 0.1, monthlyEur: 4.15, hourlyEur: 0.0067 },
    storageBytes: null,
    restorePointCount: null,
    sshAlias: `cairn-${name}`,
    ...overrides,
  }
}

/** A running server Cairn made whose workspace is gone (cairn-old, fsn1, cx22). */
export function orphan(overrides: Partial<OrphanServer> = {}): OrphanServer {
  return {
    serverId: 7,
    name: 'cairn-old',
    workspaceId: null,
    location: 'fsn1',
    serverType: 'cx22',
    status: 'running',
    createdAt: new Date(T0).toISOString(),
    ip: null,
    runningEur: 1,
    hourlyEur: 0.01,
    monthlyEur: 4,
    ...overrides,
  }
}

export function list(
  workspaces: WorkspaceView[],
  overrides: Partial<WorkspaceList> = {},
): WorkspaceList {
  return {
    workspaces,
    orphans: [],
    discovered: [],
    totals: { runningEur: 0, monthlyEur: 0, hourlyEur: 0, storageBytes: 0 },
    reconciledAt: null,
    reconcileProblem: null,
    ...overrides,
  }
}

export function idle(overrides: Partial<IdleState> = {}): IdleState {
  return {
    workspaceId: 'ws-web',
    state: 'active',
    disabledReason: null,
    timeoutMinutes: 30,
    idleSince: null,
    stopAt: null,
    lastActivity: null,
    signals: [],
    postponedUntil: null,
    pausedUntil: null,
    checkedAt: null,
    cpuKnown: false,
    cpu: null,
    sessions: [],
    agents: [],
    vscodeWindows: 0,
    probeError: null,
    stopError: null,
    ...overrides,
  }
}
