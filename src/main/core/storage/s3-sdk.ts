import type * as S3SdkModule from '@aws-sdk/client-s3'

export type S3Sdk = typeof S3SdkModule

let loading: Promise<S3Sdk> | null = null

/**
 * The AWS SDK's S3 client, loaded on first use. Loading it takes ~0.1-0.15 s of module loading
 * on this machine; a process that starts with it (the CLI, the bench's operation child) paid that
 * before doing anything, while a backup can use the time to open its SSH connection and list.
 * Started when an S3Store is created, so it loads while other work waits on the network.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= import('@aws-sdk/client-s3')
  return loading
}
