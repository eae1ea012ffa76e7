import { describe, expect, it } from 'vitest'
import { decodeTree, encodeTree } from '../../../src/main/core/repo/tree/tree-codec'
import type { TreeEntry } from '../../../src/main/core/repo/tree/tree-entry'
import { encodesSame } from '../../../src/main/core/repo/tree/tree-equality'
import { prng } from '../../support/backup-trees'

const ID_A = 'a'.repeat(64)
const ID_B = 'b'.repeat(64)

function base(): TreeEntry {
  return {
    name: Buffer.from('name'),
    type: 'file',
    mode: 0o644,
    uid: 1000,
    gid: 1000,
    uname: 'dev',
    gname: 'dev',
    mtimeSec: 1_700_000_000,
    mtimeNsec: 123_456_789,
    size: 10,
    content: [ID_A],
    changeKey: { ctimeSec: 1_700_000_001, ctimeNsec: 5, device: 2049, inode: 77n },
  }
}

// One change per encoded field (and a few no-ops the encoding does not see).
const mutations: ((e: TreeEntry) => void)[] = [
  (e) => (e.name = Buffer.from('namf')),
  (e) => (e.mode = 0o600),
  (e) => (e.uid = 0),
  (e) => (e.gid = 0),
  (e) => (e.uname = 'root'),
  (e) => delete e.uname,
  (e) => (e.gname = 'staff'),
  (e) => delete e.gname,
  (e) => (e.mtimeSec = -5),
  (e) => (e.mtimeNsec = 0),
  (e) => (e.size = 11),
  (e) => (e.content = [ID_B]),
  (e) => (e.content = [ID_A, ID_A]),
  (e) => (e.content = []),
  (e) => delete e.content,
  (e) => (e.changedWhileReading = true),
  (e) => (e.changedWhileReading = false),
  (e) => (e.sparse = true),
  (e) => (e.linkGroup = Buffer.from('1:2')),
  (e) => delete e.changeKey,
  (e) => e.changeKey && (e.changeKey.ctimeNsec = 6),
  (e) => e.changeKey && (e.changeKey.ctimeSec = 0),
  (e) => e.changeKey && (e.changeKey.device = 1),
  (e) => e.changeKey && (e.changeKey.inode = 78n),
  (e) => {
    e.type = 'dir'
    e.size = 0
    delete e.content
    e.subtree = ID_A
  },
  (e) => {
    e.type = 'symlink'
    delete e.content
    e.target = Buffer.from('t')
    e.size = 1
  },
  (e) => {
    e.type = 'chardev'
    delete e.content
    e.size = 0
  },
  (e) => {
    e.type = 'chardev'
    delete e.content
    e.size = 0
    e.deviceMajor = 1
  },
  (e) => {
    e.type = 'fifo'
    delete e.content
    e.size = 0
  },
  (e) => {
    e.type = 'fifo'
    delete e.content
    e.size = 99 // not encoded for a fifo
  },
]

function clone(e: TreeEntry): TreeEntry {
  return structuredClone({ ...e, name: Buffer.from(e.name) }) as TreeEntry
}

/** The stored side as a backup sees it: decoded from the bytes the encoder wrote. */
function stored(e: TreeEntry): TreeEntry {
  return decodeTree(encodeTree([e]))[0]!
}

describe('encodesSame', () => {
  it('is true exactly when the fresh entry encodes to the stored bytes', () => {
    const random = prng(7)
    let same = 0
    let different = 0
    for (let round = 0; round < 3000; round++) {
      const a = base()
      const b = base()
      // Up to three mutations on each side; equal picks on both sides cancel out.
      for (const side of [a, b]) {
        const n = Math.floor(random() * 4)
        for (let i = 0; i < n; i++) mutations[Math.floor(random() * mutations.length)]!(side)
      }
      const fresh = clone(a)
      const bytesEqual = encodeTree([a]).equals(encodeTree([b]))
      expect(encodesSame(fresh, stored(b))).toBe(bytesEqual)
      if (bytesEqual) same++
      else different++
    }
    expect(same).toBeGreaterThan(100)
    expect(different).toBeGreaterThan(100)
  })

  it('every single field change is seen', () => {
    for (const [i, mutate] of mutations.entries()) {
      const changed = base()
      mutate(changed)
      const bytesEqual = encodeTree([changed]).equals(encodeTree([base()]))
      expect(encodesSame(changed, stored(base())), `mutation ${i}`).toBe(bytesEqual)
      expect(encodesSame(base(), stored(changed)), `mutation ${i} (stored)`).toBe(bytesEqual)
    }
  })

  it('refuses stored entries whose bytes decoding does not give back exactly', () => {
    const withXattrs = base()
    withXattrs.xattrs = [{ name: Buffer.from('user.a'), value: Buffer.from('1') }]
    expect(encodesSame(stored(withXattrs), stored(withXattrs))).toBe(false)
    const lossy = base()
    lossy.uname = 'd\uFFFDv'
    expect(encodesSame(lossy, stored(lossy))).toBe(false)
  })
})
