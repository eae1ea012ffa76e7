// The control plane of the fake Hetzner API: how tests inject faults and shape timing. The same
// interface is offered in-process (LocalHetzner.control) and over HTTP (control-client.ts), so
// tests running in vitest workers can use it exactly like code in the global setup.
//
// Everything is per project. A project is what a Hetzner API token belongs to: its own servers,
// SSH keys, actions, rate limit and faults. Test files create their own project so faults they
// inject never hit another file running in parallel.

/** An error answer the fake API gives instead of doing the request. */
export interface FaultRule {
  /** HTTP method to match (any when omitted). */
  method?: string
  /**
   * Path after /v1 to match, e.g. '/servers', '/servers/:id', '/servers/:id/actions/poweron'.
   * A segment `*` or `:name` matches any one segment, a last segment `**` any rest.
   * Any path when omitted.
   */
  path?: string
  /** Only the next N matching requests; until cleared when omitted. */
  times?: number
  /** HTTP status; the usual one for `code` when omitted (see defaultStatusFor). */
  status?: number
  /** Hetzner error code, e.g. 'unauthorized', 'placement_error', 'rate_limit_exceeded'. */
  code: string
  message?: string
  details?: Record<string, unknown>
}

/** Make the next actions (optionally only of one command) end in status "error". */
export interface ActionFailure {
  /** e.g. 'create_server', 'start_server', 'stop_server', 'delete_server'. Any when omitted. */
  command?: string
  /** How many actions fail; 1 when omitted. */
  times?: number
  code?: string
  message?: string
}

export interface ProjectInfo {
  id: string
  /** API token of the project (Bearer). */
  token: string
}

export interface VmInfo {
  serverId: number
  name: string
  status: string
  ip: string
  sshPort: number
  /** Host directory that is the server's /home (absent for API-only servers). */
  homeDir?: string
  /** Host directory that is the server's /root. */
  rootDir?: string
  /** cloud-init parts that were recorded but not applied (runcmd, packages...). */
  cloudInit?: {
    users: string[]
    runcmd: unknown[]
    skipped: string[]
    errors: string[]
  }
}

export interface HetznerControlApi {
  /** A new, empty project with its own token. */
  createProject(): Promise<ProjectInfo>
  /** Adds a fault rule; returns its id. */
  inject(rule: FaultRule, project?: string): Promise<string>
  /** Removes fault rules (all of the project, or one by id). */
  clearFaults(project?: string, ruleId?: string): Promise<void>
  /** How long an action runs before it succeeds (ms). */
  setActionDuration(ms: number, project?: string): Promise<void>
  /** Extra time a server stays "initializing" after its sshd listens (ms). */
  setBootDelay(ms: number, project?: string): Promise<void>
  failActions(failure: ActionFailure, project?: string): Promise<void>
  /** The next `times` (default 1) created servers stay "initializing" until released. */
  holdInitializing(times?: number, project?: string): Promise<void>
  /** Lets a held server finish booting. */
  release(serverId: number, project?: string): Promise<void>
  /**
   * The next `times` (default 1) created servers boot (running, cloud-init done) and then their
   * sshd stops: the server runs, but SSH on its address is refused for good.
   */
  withoutSsh(times?: number, project?: string): Promise<void>
  /** Sets the rate limit bucket (limit per hour, and what is left now). */
  setRateLimit(limit: { limit?: number; remaining?: number }, project?: string): Promise<void>
  /** Servers of the project with where their fake VM lives. */
  vms(project?: string): Promise<VmInfo[]>
  /** Clears faults, failures, holds and timing of the project back to the defaults. */
  reset(project?: string): Promise<void>
}

/** The status Hetzner answers with for an error code (used when a rule gives none). */
export function defaultStatusFor(code: string): number {
  switch (code) {
    case 'unauthorized':
      return 401
    case 'forbidden':
    case 'token_readonly':
      return 403
    case 'not_found':
      return 404
    case 'invalid_input':
    case 'json_error':
      return 400
    case 'uniqueness_error':
    case 'conflict':
      return 409
    case 'placement_error':
    case 'resource_unavailable':
      return 412
    case 'resource_limit_exceeded':
    case 'unsupported_error':
      return 422
    case 'locked':
    case 'protected':
      return 423
    case 'rate_limit_exceeded':
      return 429
    case 'server_error':
      return 500
    case 'unavailable':
    case 'service_error':
    case 'maintenance':
      return 503
    case 'timeout':
      return 504
    default:
      return 500
  }
}

export function defaultMessageFor(code: string): string {
  switch (code) {
    case 'unauthorized':
      return 'unable to authenticate'
    case 'forbidden':
      return 'insufficient permissions'
    case 'placement_error':
      return 'error during placement'
    case 'resource_unavailable':
      return 'resource is currently not available'
    case 'resource_limit_exceeded':
      return 'server limit exceeded'
    case 'rate_limit_exceeded':
      return 'limit of 3600 requests per hour reached'
    case 'unavailable':
      return 'service is currently not available'
    case 'server_error':
      return 'internal server error'
    case 'locked':
      return 'server is locked'
    case 'timeout':
      return 'request timed out'
    default:
      return code.replace(/_/g, ' ')
  }
}
