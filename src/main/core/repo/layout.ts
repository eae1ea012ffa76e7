import { CairnError } from '../../../shared/errors'

/**
 * Where everything lives, relative to the store's prefix:
 *
 *   config                                  repository config (format, id, key check)
 *   registry/<workspace>                    sealed with the master key: the workspace exists
 *   workspaces/<workspace>/keys/<version>   the wrapped data key of each key version (8 digits)
 *   workspaces/<workspace>/data/<ab>/<id>   pack files, sharded by the first 2 hex digits
 *   workspaces/<workspace>/index/<id>       index files
 *   workspaces/<workspace>/snapshots/<id>   restore points
 *   workspaces/<workspace>/locks/…          leases (one writer at a time)
 */
export const CONFIG_KEY = 'config'
export const REGISTRY_PREFIX = 'registry/'

const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

export function assertWorkspaceId(id: string): void {
  if (!WORKSPACE_ID.test(id)) {
    throw new CairnError(
      'invalid_input',
      'A workspace id is 1-64 letters, digits, "-" or "_", starting with a letter or digit.',
    )
  }
}

export function registryKey(workspaceId: string): string {
  return `${REGISTRY_PREFIX}${workspaceId}`
}

export class WorkspacePaths {
  readonly root: string
  readonly keys: string
  readonly data: string
  readonly index: string
  readonly snapshots: string
  readonly locks: string

  constructor(readonly workspaceId: string) {
    assertWorkspaceId(workspaceId)
    this.root = `workspaces/${workspaceId}/`
    this.keys = `${this.root}keys/`
    this.data = `${this.root}data/`
    this.index = `${this.root}index/`
    this.snapshots = `${this.root}snapshots/`
    this.locks = `${this.root}locks/`
  }

  keyFile(version: number): string {
    return `${this.keys}${String(version).padStart(8, '0')}`
  }

  pack(id: string): string {
    return `${this.data}${id.slice(0, 2)}/${id}`
  }

  indexFile(id: string): string {
    return `${this.index}${id}`
  }

  snapshot(id: string): string {
    return `${this.snapshots}${id}`
  }

  /** The last path segment of a listed key (the id), or null if the key is not an id. */
  static idOf(key: string): string | null {
    const id = key.slice(key.lastIndexOf('/') + 1)
    return /^[0-9a-f]{64}$/.test(id) ? id : null
  }
}
