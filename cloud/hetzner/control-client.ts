import type {
  ActionFailure,
  FaultRule,
  HetznerControlApi,
  ProjectInfo,
  VmInfo,
} from './control-types'

export type {
  ActionFailure,
  FaultRule,
  HetznerControlApi,
  ProjectInfo,
  VmInfo,
} from './control-types'

/**
 * The control plane over HTTP, for code that does not share a process with the local cloud
 * (vitest workers, a second terminal). Same methods as LocalHetzner.control.
 */
export class HetznerControlClient implements HetznerControlApi {
  constructor(
    /** e.g. http://127.0.0.1:PORT/__control */
    private readonly controlUrl: string,
    private readonly controlToken: string,
  ) {}

  private async call<T>(method: keyof HetznerControlApi, ...args: unknown[]): Promise<T> {
    // Trailing undefined arguments would become null in JSON; drop them so defaults apply.
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
    const res = await fetch(`${this.controlUrl}/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.controlToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ args }),
    })
    const body = (await res.json()) as { result?: T; error?: { message: string } }
    if (!res.ok)
      throw new Error(`local cloud control ${method} failed: ${body.error?.message ?? res.status}`)
    return body.result as T
  }

  createProject(): Promise<ProjectInfo> {
    return this.call('createProject')
  }
  inject(rule: FaultRule, project?: string): Promise<string> {
    return this.call('inject', rule, project)
  }
  clearFaults(project?: string, ruleId?: string): Promise<void> {
    return this.call('clearFaults', project, ruleId)
  }
  setActionDuration(ms: number, project?: string): Promise<void> {
    return this.call('setActionDuration', ms, project)
  }
  setBootDelay(ms: number, project?: string): Promise<void> {
    return this.call('setBootDelay', ms, project)
  }
  failActions(failure: ActionFailure, project?: string): Promise<void> {
    return this.call('failActions', failure, project)
  }
  holdInitializing(times?: number, project?: string): Promise<void> {
    return this.call('holdInitializing', times, project)
  }
  release(serverId: number, project?: string): Promise<void> {
    return this.call('release', serverId, project)
  }
  withoutSsh(times?: number, project?: string): Promise<void> {
    return this.call('withoutSsh', times, project)
  }
  setRateLimit(limit: { limit?: number; remaining?: number }, project?: string): Promise<void> {
    return this.call('setRateLimit', limit, project)
  }
  vms(project?: string): Promise<VmInfo[]> {
    return this.call('vms', project)
  }
  reset(project?: string): Promise<void> {
    return this.call('reset', project)
  }
}
