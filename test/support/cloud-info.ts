import { inject } from 'vitest'
import type { CloudInfo as StartedCloudInfo } from '../../cloud/index'
import { HetznerControlClient } from '../../cloud/hetzner/control-client'

/** What the global setup started; every part is there in the integration/e2e/soak projects. */
export type CloudInfo = Required<StartedCloudInfo>

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: CloudInfo
  }
}

/** The local cloud of this test run (started once by test/support/global-setup.ts). */
export function cloudInfo(): CloudInfo {
  const info = inject('cloud')
  if (!info)
    throw new Error('no local cloud: run this test in a project with test/support/global-setup.ts')
  return info
}

/** The fake Hetzner API's control plane, over HTTP (tests run in workers, not in the setup). */
export function hetznerControl(info: CloudInfo = cloudInfo()): HetznerControlClient {
  return new HetznerControlClient(info.hetzner.controlUrl, info.hetzner.controlToken)
}

/**
 * A fresh Hetzner project (own token, servers, faults) so a test file's faults and servers never
 * meet another file's. Returns what a Hetzner client needs.
 */
export async function newHetznerProject(info: CloudInfo = cloudInfo()): Promise<{
  id: string
  token: string
  url: string
  sshPort: number
}> {
  const project = await hetznerControl(info).createProject()
  return { ...project, url: info.hetzner.url, sshPort: info.hetzner.sshPort }
}
