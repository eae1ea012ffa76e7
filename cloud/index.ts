import { startHetzner } from './hetzner/index'
import type { HetznerOptions, LocalHetzner } from './hetzner/index'
import { startKeyring } from './keyring'
import type { KeyringOptions, LocalKeyring } from './keyring'
import { ProcessGroup } from './processes'
import { startS3 } from './s3/index'
import type { LocalS3, S3Options } from './s3/index'
import { NoVms, VmManager } from './vm/manager'
import type { VmBackend, VmManagerOptions } from './vm/manager'

export type {
  HetznerControlApi,
  FaultRule,
  ActionFailure,
  ProjectInfo,
  VmInfo,
} from './hetzner/control-types'
export { HetznerControlClient } from './hetzner/control-client'
export type { LocalHetzner, HetznerOptions } from './hetzner/index'
export type { LocalS3, S3Options } from './s3/index'
export type { LocalKeyring, KeyringOptions } from './keyring'

export interface LocalCloudOptions {
  /** The fake Hetzner API; `false` to skip it. */
  hetzner?:
    | false
    | (HetznerOptions & {
        /** Real sshd VMs per server (default; needs root), or `false` for API-only servers. */
        vms?: false | VmManagerOptions
      })
  /** s3rver; `false` to skip it. */
  s3?: false | S3Options
  /** Private Secret Service (D-Bus + gnome-keyring); `false` to skip it. */
  keyring?: false | KeyringOptions
}

type Part<O, K extends keyof LocalCloudOptions, T> = O extends Record<K, false> ? undefined : T

export interface LocalCloud<O extends LocalCloudOptions = LocalCloudOptions> {
  hetzner: Part<O, 'hetzner', LocalHetzner>
  s3: Part<O, 's3', LocalS3>
  keyring: Part<O, 'keyring', LocalKeyring>
  /** Serializable description of what runs (for vitest provide/inject or printing). */
  info: CloudInfo
  /** Stops everything this cloud started. Safe to call more than once. */
  stop(): Promise<void>
}

/** What tests (in other processes) need to reach the local cloud. Plain data. */
export interface CloudInfo {
  hetzner?: {
    url: string
    token: string
    controlUrl: string
    controlToken: string
    sshPort: number
  }
  s3?: {
    endpoint: string
    region: string
    bucket: string
    accessKeyId: string
    secretAccessKey: string
  }
  keyring?: { env: Record<string, string> }
}

/**
 * Starts the local cloud: the fake Hetzner API (servers are real sshd "VMs"), s3rver with the R2
 * behaviours Cairn relies on, and a private Secret Service. Everything binds to loopback and lives
 * in temp directories; stop() (or the end of this process, however it ends) stops all of it.
 */
export async function startLocalCloud<const O extends LocalCloudOptions = LocalCloudOptions>(
  options?: O,
): Promise<LocalCloud<O>> {
  const opts: LocalCloudOptions = options ?? {}
  const processes = new ProcessGroup()
  let hetzner: LocalHetzner | undefined
  let s3: LocalS3 | undefined
  let keyring: LocalKeyring | undefined
  let vms: VmBackend | undefined
  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= (async () => {
      const results = await Promise.allSettled([hetzner?.stop(), s3?.stop(), keyring?.stop()])
      await vms?.close().catch(() => {})
      await processes.stopAll()
      const failed = results.find((r) => r.status === 'rejected')
      if (failed) throw (failed as PromiseRejectedResult).reason
    })())
  try {
    const starts: Promise<unknown>[] = []
    if (opts.hetzner !== false) {
      const h = opts.hetzner ?? {}
      starts.push(
        (async () => {
          vms = h.vms === false ? new NoVms() : await VmManager.create(h.vms ?? {}, processes)
          hetzner = await startHetzner(h, vms)
        })(),
      )
    }
    if (opts.s3 !== false) starts.push(startS3(opts.s3 ?? {}, processes).then((s) => (s3 = s)))
    if (opts.keyring !== false) {
      starts.push(startKeyring(opts.keyring ?? {}, processes).then((k) => (keyring = k)))
    }
    const results = await Promise.allSettled(starts)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  } catch (error) {
    await stop().catch(() => {})
    throw error
  }
  const info: CloudInfo = {}
  if (hetzner) {
    const { url, token, controlUrl, controlToken, sshPort } = hetzner
    info.hetzner = { url, token, controlUrl, controlToken, sshPort }
  }
  if (s3) {
    const { endpoint, region, bucket, accessKeyId, secretAccessKey } = s3
    info.s3 = { endpoint, region, bucket, accessKeyId, secretAccessKey }
  }
  if (keyring) info.keyring = { env: { ...keyring.env } }
  return { hetzner, s3, keyring, info, stop } as LocalCloud<O>
}
