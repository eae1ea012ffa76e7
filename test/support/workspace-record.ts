import { newWorkspaceId } from '../../src/main/core/workspaces/registry'
import type { WorkspaceRecord } from '../../src/shared/domain/workspace'

/**
 * A registry record for tests: a stopped Hetzner workspace (fsn1, cx22, /home/dev, idle 30 min)
 * with a fresh id, changed by `over`.
 */
export function workspaceRecord(over: Partial<WorkspaceRecord> = {}): WorkspaceRecord {
  return {
    id: newWorkspaceId(),
    name: 'ws',
    provider: 'hetzner',
    state: 'stopped',
    createdAt: new Date().toISOString(),
    paths: ['/home/dev'],
    excludes: [],
    includes: [],
    includeCredentials: false,
    idleTimeoutMinutes: 30,
    location: 'fsn1',
    serverType: 'cx22',
    image: 'ubuntu-24.04',
    server: null,
    ssh: null,
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: null,
    ...over,
  }
}
