import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { initRepository, openWorkspace, type Workspace } from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import type { ObjectStore } from '../../../src/main/core/storage/object-store'
import { S3Store, type S3StoreOptions } from '../../../src/main/core/storage/s3-store'
import { cloudInfo } from '../../support/cloud-info'

export type RepoKind = 'folder' | 's3'

export interface TestRepo {
  kind: RepoKind
  store: ObjectStore
  masterKey: Uint8Array
  workspace: Workspace
  /** Folder repositories: where the objects are. */
  dir: string | null
  destroy(): void
}

/** A scratch directory on this machine, removed by the caller's cleanup. */
export function scratch(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cairn-backup-${name}-`))
}

export function s3Store(prefix: string, overrides: Partial<S3StoreOptions> = {}): S3Store {
  const s3 = cloudInfo().s3
  return new S3Store({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    prefix,
    ...overrides,
  })
}

/** A new repository with one workspace, in a folder or in s3rver under a fresh prefix. */
export async function createRepo(kind: RepoKind, name: string): Promise<TestRepo> {
  const masterKey = generateMasterKey()
  let dir: string | null = null
  let store: ObjectStore
  if (kind === 'folder') {
    dir = scratch(`${name}-repo`)
    store = new FolderStore(dir)
  } else {
    store = s3Store(`backup-${name}-${randomBytes(4).toString('hex')}`)
  }
  const repo = await initRepository(store, masterKey)
  const workspace = await openWorkspace(repo, 'ws', { create: true })
  return {
    kind,
    store,
    masterKey,
    workspace,
    dir,
    destroy: () => {
      if (store instanceof S3Store) store.destroy()
      if (dir) fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
