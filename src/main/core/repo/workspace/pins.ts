import { randomBytes } from 'node:crypto'
import { CairnError } from '../../../../shared/errors'
import { aeadKey, NONCE_LENGTH, openBox, sealBox } from '../crypto/aead'
import { hkdf } from '../crypto/kdf'
import { SEALED_MAGIC } from '../crypto/sealed-file'
import { isHexId } from '../util/hex'
import type { Workspace } from './workspace'

/**
 * Pins: restore points the user wants kept whatever the retention policy says. Each pin is its own
 * small object `workspaces/<workspace>/pins/<restore point id>`, so a second desktop sees it, and
 * pinning and unpinning are a single PUT or DELETE that never races another desktop's change of a
 * different pin (no read-modify-write of a shared list). The object has the sealed-file layout
 * (docs/repository-format.md) with kind 5 ("pin"), sealed with the workspace's current data key
 * under its own HKDF info, so nobody without the key can forge or read one; its plaintext names the
 * restore point again, so a pin copied to another name is refused.
 */
export const PIN_KDF_INFO = 'cairn v1 workspace-pin'
const PIN_KIND = 5
const HEADER_LENGTH = 42

export interface PinRecord {
  restorePointId: string
  pinnedAt: string
  hostname: string
}

export function pinsPrefix(workspace: Workspace): string {
  return `${workspace.paths.root}pins/`
}

export function pinKey(workspace: Workspace, restorePointId: string): string {
  return `${pinsPrefix(workspace)}${restorePointId}`
}

function seal(workspace: Workspace, record: PinRecord): Buffer {
  const material = workspace.keys.current
  const header = Buffer.alloc(HEADER_LENGTH)
  SEALED_MAGIC.copy(header, 0)
  header[4] = 1
  header[5] = PIN_KIND
  header.writeUInt32LE(material.version, 6)
  const salt = randomBytes(32)
  salt.copy(header, 10)
  const key = aeadKey(hkdf(material.dataKey, salt, PIN_KDF_INFO))
  const body = Buffer.from(JSON.stringify(record), 'utf8')
  return Buffer.concat([header, sealBox(key, randomBytes(NONCE_LENGTH), [body], header)])
}

function open(workspace: Workspace, bytes: Uint8Array, expectedId: string): PinRecord | null {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.length < HEADER_LENGTH || !view.subarray(0, 4).equals(SEALED_MAGIC)) return null
  if (view[4] !== 1 || view[5] !== PIN_KIND) return null
  const material = workspace.keys.get(view.readUInt32LE(6))
  if (!material) return null
  const header = view.subarray(0, HEADER_LENGTH)
  const key = aeadKey(hkdf(material.dataKey, view.subarray(10, HEADER_LENGTH), PIN_KDF_INFO))
  const plain = openBox(key, view.subarray(HEADER_LENGTH), header)
  if (!plain) return null
  try {
    const record = JSON.parse(plain.toString('utf8')) as PinRecord
    if (record.restorePointId !== expectedId) return null
    if (typeof record.pinnedAt !== 'string' || typeof record.hostname !== 'string') return null
    return record
  } catch {
    return null
  }
}

/** Pins a restore point (full id). Pinning again refreshes the record. */
export async function pinRestorePoint(
  workspace: Workspace,
  restorePointId: string,
  options: { hostname: string; now?: Date; signal?: AbortSignal },
): Promise<PinRecord> {
  if (!isHexId(restorePointId)) {
    throw new CairnError('invalid_input', 'A pin names a restore point by its full id.')
  }
  const record: PinRecord = {
    restorePointId,
    pinnedAt: (options.now ?? new Date()).toISOString(),
    hostname: options.hostname,
  }
  await workspace.store.put(pinKey(workspace, restorePointId), seal(workspace, record), {
    signal: options.signal,
  })
  return record
}

export async function unpinRestorePoint(
  workspace: Workspace,
  restorePointId: string,
  signal?: AbortSignal,
): Promise<void> {
  await workspace.store.delete(pinKey(workspace, restorePointId), { signal })
}

export interface PinListing {
  pins: PinRecord[]
  /**
   * Pin objects that could not be read (damaged, or written with a key this desktop lacks). Their
   * restore points count as pinned anyway: a pin that cannot be read must not let a forget delete.
   */
  unreadable: string[]
}

/** Every pin of the workspace: one LIST, and one GET per pin. */
export async function listPins(workspace: Workspace, signal?: AbortSignal): Promise<PinListing> {
  const out: PinListing = { pins: [], unreadable: [] }
  const prefix = pinsPrefix(workspace)
  for await (const object of workspace.store.list(prefix, { signal })) {
    const id = object.key.slice(prefix.length)
    if (!isHexId(id)) continue
    let bytes: Uint8Array
    try {
      bytes = await workspace.store.get(object.key, { signal })
    } catch (error) {
      // Unpinned between LIST and GET.
      if (error instanceof CairnError && error.code === 'not_found') continue
      throw error
    }
    const record = open(workspace, bytes, id)
    if (record) out.pins.push(record)
    else out.unreadable.push(id)
  }
  return out
}
