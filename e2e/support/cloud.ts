import type { HetznerControlClient } from '../../cloud/index'
import { cloudInfo, hetznerControl, type CloudInfo } from '../../test/support/cloud-info'

export type HetznerInfo = CloudInfo['hetzner']
export type S3Info = CloudInfo['s3']

/**
 * What test/support/global-setup.ts started for this run: the fake Hetzner API, s3rver and the
 * private Secret Service.
 */
export function localCloud(): {
  hetzner: HetznerInfo
  s3: S3Info
  keyringEnv: Record<string, string>
} {
  const info = cloudInfo()
  return { hetzner: info.hetzner, s3: info.s3, keyringEnv: info.keyring.env }
}

export function control(info: CloudInfo = cloudInfo()): HetznerControlClient {
  return hetznerControl(info)
}
