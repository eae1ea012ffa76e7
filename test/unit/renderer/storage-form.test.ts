import { describe, expect, it } from 'vitest'
import { storageInputSchema } from '../../../src/shared/domain/storage'
import {
  bucketNameProblem,
  emptyDraft,
  storedSecretApplies,
  toStorageInput,
  validateDraft,
  type StorageDraft,
} from '../../../src/renderer/src/lib/storage-form'

function s3(patch: Partial<StorageDraft> = {}): StorageDraft {
  return {
    ...emptyDraft(),
    endpoint: 'https://abc.r2.cloudflarestorage.com',
    bucket: 'cairn-backups',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'secret-value',
    ...patch,
  }
}

describe('storage form validation', () => {
  it('accepts a complete S3 form, and the contract accepts what it sends', () => {
    const draft = s3({ prefix: 'laptop/' })
    expect(validateDraft(draft, false)).toEqual({})
    expect(storageInputSchema.strict().safeParse(toStorageInput(draft)).success).toBe(true)
  })

  it('names every missing required field', () => {
    const errors = validateDraft({ ...emptyDraft(), region: '' }, false)
    expect(Object.keys(errors).sort()).toEqual(
      ['accessKeyId', 'bucket', 'endpoint', 'region', 'secretAccessKey'].sort(),
    )
  })

  it('lets an empty secret keep the stored one, and then sends none', () => {
    const draft = s3({ secretAccessKey: '' })
    expect(validateDraft(draft, true)).toEqual({})
    expect(toStorageInput(draft)).not.toHaveProperty('secretAccessKey')
  })

  it('checks the URL shape of the endpoint', () => {
    expect(validateDraft(s3({ endpoint: 'r2.example.com' }), false).endpoint).toMatch(/full URL/)
    expect(validateDraft(s3({ endpoint: 'ftp://x.example' }), false).endpoint).toMatch(/https/)
    expect(validateDraft(s3({ endpoint: 'http://127.0.0.1:9000' }), false).endpoint).toBeUndefined()
  })

  it('applies S3 bucket naming rules with a specific message', () => {
    expect(bucketNameProblem('Bad_Bucket')).toMatch(/lowercase/)
    expect(bucketNameProblem('ab')).toMatch(/3 to 63/)
    expect(bucketNameProblem('-abc')).toMatch(/start and end/)
    expect(bucketNameProblem('a..b')).toMatch(/two dots/)
    expect(bucketNameProblem('192.168.1.1')).toMatch(/IP address/)
    expect(bucketNameProblem('my_bucket')).toMatch(/lowercase letters, digits/)
    expect(bucketNameProblem('cairn-test.1')).toBeNull()
  })

  it('only passes bucket names the contract accepts', () => {
    const names = [
      'abc',
      'a-b.c',
      'Bad',
      'a_b',
      'a..b',
      '-ab',
      'ab-',
      'x'.repeat(64),
      '1.2.3.4',
      'ok-1',
    ]
    for (const bucket of names) {
      const passes = bucketNameProblem(bucket) === null
      const contract = storageInputSchema.safeParse(toStorageInput(s3({ bucket }))).success
      if (passes) expect(contract, bucket).toBe(true)
    }
  })

  it('wants a full folder path', () => {
    const folder = { ...emptyDraft(), kind: 'folder' as const }
    expect(validateDraft({ ...folder, path: '' }, false).path).toMatch(/Enter/)
    expect(validateDraft({ ...folder, path: 'backups' }, false).path).toMatch(/full path/)
    expect(validateDraft({ ...folder, path: '/srv/backups' }, false)).toEqual({})
    expect(validateDraft({ ...folder, path: 'C:\\Backups' }, false)).toEqual({})
    expect(toStorageInput({ ...folder, path: ' /srv/backups ' })).toEqual({
      config: { kind: 'folder', path: '/srv/backups' },
    })
  })

  it('keeps a stored secret only for the same access key and endpoint host', () => {
    const saved = {
      kind: 's3' as const,
      endpoint: 'https://abc.r2.cloudflarestorage.com',
      region: 'auto',
      bucket: 'cairn-backups',
      prefix: '',
      accessKeyId: 'AKIAEXAMPLE',
      forcePathStyle: true,
    }
    expect(storedSecretApplies(s3({ bucket: 'other' }), saved, true)).toBe(true)
    expect(storedSecretApplies(s3(), saved, false)).toBe(false)
    expect(storedSecretApplies(s3({ accessKeyId: 'OTHER' }), saved, true)).toBe(false)
    expect(storedSecretApplies(s3({ endpoint: 'https://x.example' }), saved, true)).toBe(false)
  })
})
