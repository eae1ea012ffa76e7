import type { StorageConfig } from '../../../shared/domain/settings'
import type { StorageInput } from '../../../shared/domain/storage'

/** What the storage form holds while the user types. Strings throughout, as inputs give them. */
export interface StorageDraft {
  kind: 's3' | 'folder'
  endpoint: string
  region: string
  bucket: string
  prefix: string
  accessKeyId: string
  secretAccessKey: string
  forcePathStyle: boolean
  path: string
}

export type StorageField = Exclude<keyof StorageDraft, 'kind' | 'forcePathStyle'>
export type FieldErrors = Partial<Record<StorageField, string>>

export function emptyDraft(): StorageDraft {
  return {
    kind: 's3',
    endpoint: '',
    region: 'auto',
    bucket: '',
    prefix: '',
    accessKeyId: '',
    secretAccessKey: '',
    forcePathStyle: true,
    path: '',
  }
}

/** A form prefilled from what is saved. The secret never comes back, so it stays empty. */
export function draftFromConfig(config: StorageConfig | null): StorageDraft {
  const draft = emptyDraft()
  if (!config) return draft
  if (config.kind === 'folder') return { ...draft, kind: 'folder', path: config.path }
  return {
    ...draft,
    kind: 's3',
    endpoint: config.endpoint,
    region: config.region,
    bucket: config.bucket,
    prefix: config.prefix,
    accessKeyId: config.accessKeyId,
    forcePathStyle: config.forcePathStyle,
  }
}

/** S3 naming rules (a little stricter than the contract, so whatever passes here passes there). */
export function bucketNameProblem(name: string): string | null {
  if (!name) return 'Enter the bucket name.'
  if (name.length < 3 || name.length > 63) return 'Bucket names are 3 to 63 characters long.'
  if (/[A-Z]/.test(name)) return 'Bucket names use lowercase letters only.'
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'Bucket names use only lowercase letters, digits, dots and dashes.'
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'Bucket names start and end with a letter or a digit.'
  }
  if (name.includes('..')) return 'Bucket names cannot contain two dots in a row.'
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'Bucket names cannot look like an IP address.'
  return null
}

export function endpointProblem(endpoint: string): string | null {
  const value = endpoint.trim()
  if (!value) return 'Enter the endpoint URL.'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'Enter a full URL, like https://<account-id>.r2.cloudflarestorage.com'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'The endpoint must start with https:// (or http:// for a local server).'
  }
  if (!url.hostname) return 'The endpoint needs a host name.'
  if (value.length > 500) return 'The endpoint URL is too long.'
  return null
}

export function folderPathProblem(path: string): string | null {
  const value = path.trim()
  if (!value) return 'Enter the folder path.'
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(value)) {
    return 'Use a full path, for example /home/you/cairn-backups.'
  }
  if (value.length > 4096) return 'The path is too long.'
  return null
}

/**
 * Checks the draft before anything is sent. `secretStored` says whether the keychain already holds
 * a secret key that an empty field means to keep.
 */
export function validateDraft(draft: StorageDraft, secretStored: boolean): FieldErrors {
  const errors: FieldErrors = {}
  if (draft.kind === 'folder') {
    const problem = folderPathProblem(draft.path)
    if (problem) errors.path = problem
    return errors
  }
  const endpoint = endpointProblem(draft.endpoint)
  if (endpoint) errors.endpoint = endpoint
  const region = draft.region.trim()
  if (!region) errors.region = 'Enter the region, or "auto" for Cloudflare R2.'
  else if (region.length > 64) errors.region = 'The region is at most 64 characters.'
  const bucket = bucketNameProblem(draft.bucket.trim())
  if (bucket) errors.bucket = bucket
  const prefix = draft.prefix.trim()
  if (prefix.startsWith('/')) errors.prefix = 'The prefix cannot start with a slash.'
  else if (prefix.length > 200) errors.prefix = 'The prefix is at most 200 characters.'
  if (!draft.accessKeyId.trim()) errors.accessKeyId = 'Enter the access key ID.'
  else if (draft.accessKeyId.trim().length > 200)
    errors.accessKeyId = 'The access key ID is too long.'
  if (!draft.secretAccessKey && !secretStored)
    errors.secretAccessKey = 'Enter the secret access key.'
  else if (draft.secretAccessKey.length > 500)
    errors.secretAccessKey = 'The secret key is too long.'
  return errors
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0
}

/** The request for storage.test / storage.save. Only call after validateDraft found nothing. */
export function toStorageInput(draft: StorageDraft): StorageInput {
  if (draft.kind === 'folder') return { config: { kind: 'folder', path: draft.path.trim() } }
  const input: StorageInput = {
    config: {
      kind: 's3',
      endpoint: draft.endpoint.trim(),
      region: draft.region.trim(),
      bucket: draft.bucket.trim(),
      prefix: draft.prefix.trim(),
      accessKeyId: draft.accessKeyId.trim(),
      forcePathStyle: draft.forcePathStyle,
    },
  }
  if (draft.secretAccessKey) input.secretAccessKey = draft.secretAccessKey
  return input
}

/**
 * Whether an empty secret field may mean "keep the stored one": the keychain holds one secret per
 * access key ID and endpoint host, so it applies only while those match the saved configuration.
 */
export function storedSecretApplies(
  draft: StorageDraft,
  saved: StorageConfig | null,
  hasStorageSecret: boolean,
): boolean {
  if (!hasStorageSecret || draft.kind !== 's3' || saved?.kind !== 's3') return false
  return (
    draft.accessKeyId.trim() === saved.accessKeyId &&
    hostOf(draft.endpoint) === hostOf(saved.endpoint)
  )
}

function hostOf(url: string): string | null {
  try {
    return new URL(url.trim()).host
  } catch {
    return null
  }
}
