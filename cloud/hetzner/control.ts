import type { VmBackend } from '../vm/manager'
import type {
  ActionFailure,
  FaultRule,
  HetznerControlApi,
  ProjectInfo,
  VmInfo,
} from './control-types'
import { Project, newToken } from './project'
import type { ProjectDefaults } from './project'

/** All projects of one fake API, findable by id (control plane) and by token (API). */
export class Projects {
  private readonly byId = new Map<string, Project>()
  private readonly byToken = new Map<string, Project>()
  private counter = 0
  readonly defaultProject: Project

  constructor(
    private readonly defaults: ProjectDefaults,
    defaultToken: string,
  ) {
    this.defaultProject = this.add('default', defaultToken)
  }

  private add(id: string, token: string): Project {
    const project = new Project(id, token, this.defaults)
    this.byId.set(id, project)
    this.byToken.set(token, project)
    return project
  }

  create(): Project {
    return this.add(`project-${++this.counter}`, newToken())
  }

  withToken(token: string): Project | undefined {
    return this.byToken.get(token)
  }

  get(id: string | undefined): Project {
    const project = id === undefined ? this.defaultProject : this.byId.get(id)
    if (!project) throw new Error(`no project '${id}'`)
    return project
  }

  all(): Project[] {
    return [...this.byId.values()]
  }
}

/** The in-process control plane (the HTTP one in api-server.ts calls these same methods). */
export class HetznerControl implements HetznerControlApi {
  constructor(
    private readonly projects: Projects,
    private readonly backend: VmBackend,
  ) {}

  async createProject(): Promise<ProjectInfo> {
    const p = this.projects.create()
    return { id: p.id, token: p.token }
  }

  async inject(rule: FaultRule, project?: string): Promise<string> {
    if (typeof rule?.code !== 'string' || rule.code === '')
      throw new Error('a fault rule needs a code')
    return this.projects.get(project).addFault(rule)
  }

  async clearFaults(project?: string, ruleId?: string): Promise<void> {
    this.projects.get(project).clearFaults(ruleId)
  }

  async setActionDuration(ms: number, project?: string): Promise<void> {
    this.projects.get(project).actionDurationMs = Math.max(0, Number(ms))
  }

  async setBootDelay(ms: number, project?: string): Promise<void> {
    this.projects.get(project).bootDelayMs = Math.max(0, Number(ms))
  }

  async failActions(failure: ActionFailure, project?: string): Promise<void> {
    this.projects.get(project).addActionFailure(failure ?? {})
  }

  async holdInitializing(times = 1, project?: string): Promise<void> {
    this.projects.get(project).holds += times
  }

  async withoutSsh(times = 1, project?: string): Promise<void> {
    this.projects.get(project).noSsh += times
  }

  async release(serverId: number, project?: string): Promise<void> {
    const server = this.projects.get(project).servers.get(Number(serverId))
    if (!server) throw new Error(`no server ${serverId} in this project`)
    server.release?.()
  }

  async setRateLimit(
    limit: { limit?: number; remaining?: number },
    project?: string,
  ): Promise<void> {
    this.projects.get(project).setRateLimit(limit?.limit, limit?.remaining)
  }

  async vms(project?: string): Promise<VmInfo[]> {
    return [...this.projects.get(project).servers.values()].map((s) => {
      const details = this.backend.details(s.id)
      return {
        serverId: s.id,
        name: s.name,
        status: s.status,
        ip: s.ip,
        sshPort: this.backend.sshPort,
        ...(details ?? {}),
      }
    })
  }

  async reset(project?: string): Promise<void> {
    this.projects.get(project).reset()
  }
}
