import { CairnError } from '../../../shared/errors'
import type { StorageConfig } from '../../../shared/domain/settings'
import type { Logger } from '../logging/logger'
import { FolderStore } from './folder-store'
import type { ObjectStore } from './object-store'
import { S3Store, type S3StoreOptions } from './s3-store'

export interface CreateStoreOptions {
  /** The S3 secret access key; required for kind 's3'. */
  secretAccessKey?: string | null
  logger?: Logger
  /** Overrides for S3 timeouts and retries (tests, interactive checks). */
  s3?: Pick<S3StoreOptions, 'retry' | 'timeoutMs' | 'minBytesPerSecond'>
}

/** Builds the ObjectStore a storage configuration describes. */
export function createObjectStore(
  config: StorageConfig,
  options: CreateStoreOptions = {},
): ObjectStore {
  if (config.kind === 'folder') return new FolderStore(config.path)
  if (!options.secretAccessKey) {
    throw new CairnError('not_configured', 'Enter the secret access key for this storage.')
  }
  return new S3Store({
    endpoint: config.endpoint,
    region: config.region,
    bucket: config.bucket,
    prefix: config.prefix,
    accessKeyId: config.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    forcePathStyle: config.forcePathStyle,
    ...(options.logger ? { logger: options.logger } : {}),
    ...options.s3,
  })
}

/**
 * The keychain account holding an S3 config's secret: one per access key at an endpoint, so a
 * changed endpoint or key ID never picks up the wrong secret.
 */
export function storageSecretId(config: StorageConfig): string | null {
  if (config.kind !== 's3') return null
  return `${config.accessKeyId}@${new URL(config.endpoint).host}`
}
