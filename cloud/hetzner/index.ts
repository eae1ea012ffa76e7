import { randomBytes } from 'node:crypto'
import type { VmBackend } from '../vm/manager'
import { startApiServer } from './api-server'
import { HetznerControl, Projects } from './control'
import type { HetznerControlApi } from './control-types'
import { newToken } from './project'

export interface HetznerOptions {
  /** API token of the default project; generated when omitted. */
  token?: string
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** Default duration of actions (ms). Default 200. */
  actionDurationMs?: number
  /** Extra time a server stays initializing after its sshd listens (ms). Default 0. */
  bootDelayMs?: number
  log?: (message: string) => void
}

export interface LocalHetzner {
  /** Base URL ending in /v1, as hcloud clients take it (e.g. api_endpoint). */
  url: string
  /** Token of the default project. */
  token: string
  /** Base URL of the HTTP control plane (see control-client.ts). */
  controlUrl: string
  controlToken: string
  /** SSH port of the fake VMs (22 when free on 127.0.0.x). */
  sshPort: number
  /** In-process control plane (same methods as HetznerControlClient). */
  control: HetznerControlApi
  stop(): Promise<void>
}

/** Starts the fake Hetzner Cloud API on 127.0.0.1; servers are run by `vms`. */
export async function startHetzner(options: HetznerOptions, vms: VmBackend): Promise<LocalHetzner> {
  const token = options.token ?? newToken()
  const controlToken = randomBytes(24).toString('hex')
  const projects = new Projects(
    { actionDurationMs: options.actionDurationMs ?? 200, bootDelayMs: options.bootDelayMs ?? 0 },
    token,
  )
  const control = new HetznerControl(projects, vms)
  const server = await startApiServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    controlToken,
    projects,
    control,
    vms,
    log: options.log ?? (() => {}),
  })
  return {
    url: `${server.origin}/v1`,
    token,
    controlUrl: `${server.origin}/__control`,
    controlToken,
    sshPort: vms.sshPort,
    control,
    stop: async () => {
      // Held servers would otherwise keep their boot promise pending forever.
      for (const p of projects.all()) for (const s of p.servers.values()) s.release?.()
      await server.close()
    },
  }
}
