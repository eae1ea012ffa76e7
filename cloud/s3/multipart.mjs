// Multipart uploads for the local S3, as R2 and AWS S3 behave. s3rver 3.7.1 has CreateMultipartUpload,
// UploadPart and CompleteMultipartUpload, but:
//  - no AbortMultipartUpload (DELETE ?uploadId answers 405) and no ListMultipartUploads (501);
//  - an UploadPart is answered before its file is flushed, and an interrupted one never settles;
//  - UploadPart for an unknown upload ID silently recreates the upload's directory;
//  - CompleteMultipartUpload checks neither ETags, part order, part sizes nor If-None-Match, and
//    hangs on a part that was never uploaded.
// installMultipart() fixes these by wrapping s3rver's own functions and adding one middleware.
import crypto, { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const MiB = 1024 * 1024
/** AWS and R2: every part but the last at least 5 MiB. */
const MIN_PART_SIZE = 5 * MiB
const MAX_PARTS = 10_000

/**
 * @param {object} deps
 * @param {any} deps.server the S3rver instance (its middleware list is still editable)
 * @param {any} deps.objectController s3rver/lib/controllers/object
 * @param {any} deps.FilesystemStore s3rver/lib/stores/filesystem
 * @param {any} deps.S3Error s3rver/lib/models/error
 * @param {string} deps.incoming temp directory on the same filesystem as the buckets
 * @param {(id: string, fn: () => Promise<any>) => Promise<any>} deps.withKeyLock
 */
export function installMultipart({
  server,
  objectController,
  FilesystemStore,
  S3Error,
  incoming,
  withKeyLock,
}) {
  const noSuchUpload = () =>
    new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    )
  const uploadDir = (store, bucket, uploadId) => {
    if (!/^[0-9a-f]{32}$/.test(String(uploadId ?? ''))) throw noSuchUpload()
    return path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId)
  }
  /** The key an upload was created for, or null when there is no such upload. */
  const uploadKey = async (store, bucket, uploadId) => {
    try {
      return await fs.promises.readFile(
        path.join(uploadDir(store, bucket, uploadId), 'key'),
        'utf8',
      )
    } catch (error) {
      if (error?.code === 'ENOENT' || error instanceof S3Error) return null
      throw error
    }
  }
  // Part files, the completion and the abort of one upload never interleave.
  const uploadLock = (uploadId, fn) => withKeyLock(`upload:${uploadId}`, fn)

  // The part is written to a temp file, fully flushed, then renamed into place: a completion sees
  // every part whole or not at all, and an interrupted part leaves nothing behind.
  FilesystemStore.prototype.putPart = async function putPart(
    bucket,
    uploadId,
    partNumber,
    content,
  ) {
    const number = Number(partNumber)
    if (!Number.isInteger(number) || number < 1 || number > MAX_PARTS) {
      content.resume?.()
      throw new S3Error(
        'InvalidArgument',
        `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`,
        {
          ArgumentName: 'partNumber',
          ArgumentValue: String(partNumber),
        },
      )
    }
    let dir
    try {
      dir = uploadDir(this, bucket, uploadId)
      if (!fs.existsSync(path.join(dir, 'key'))) throw noSuchUpload()
    } catch (error) {
      content.resume?.()
      throw error
    }
    const temp = path.join(incoming, randomUUID())
    const md5Context = crypto.createHash('md5')
    let size = 0
    try {
      await pipeline(
        content,
        new Transform({
          transform(chunk, _encoding, callback) {
            md5Context.update(chunk)
            size += chunk.length
            callback(null, chunk)
          },
        }),
        fs.createWriteStream(temp),
      )
      const md5 = md5Context.digest('hex')
      await uploadLock(uploadId, async () => {
        if (!fs.existsSync(path.join(dir, 'key'))) throw noSuchUpload()
        await fs.promises.writeFile(`${temp}.md5`, md5)
        await fs.promises.rename(temp, path.join(dir, String(number)))
        await fs.promises.rename(`${temp}.md5`, path.join(dir, `${number}.md5`))
      })
      return { size, md5 }
    } finally {
      await fs.promises.rm(temp, { force: true })
      await fs.promises.rm(`${temp}.md5`, { force: true })
    }
  }

  // Checks the part list as R2 does before s3rver concatenates it.
  const originalPutObjectMultipart = FilesystemStore.prototype.putObjectMultipart
  FilesystemStore.prototype.putObjectMultipart = function putObjectMultipart(
    bucket,
    uploadId,
    parts,
  ) {
    return uploadLock(uploadId, async () => {
      const dir = uploadDir(this, bucket, uploadId)
      if (!fs.existsSync(path.join(dir, 'key'))) throw noSuchUpload()
      const sizes = []
      for (const [i, part] of parts.entries()) {
        if (i > 0 && part.number <= parts[i - 1].number) {
          throw new S3Error(
            'InvalidPartOrder',
            'The list of parts was not in ascending order. The parts list must be specified in order of the part number.',
          )
        }
        let md5
        try {
          md5 = await fs.promises.readFile(path.join(dir, `${part.number}.md5`), 'utf8')
          sizes.push((await fs.promises.stat(path.join(dir, String(part.number)))).size)
        } catch {
          md5 = undefined
        }
        if (md5 === undefined || md5 !== part.etag) {
          throw new S3Error(
            'InvalidPart',
            "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.",
            {
              PartNumber: String(part.number),
            },
          )
        }
      }
      const last = sizes.length - 1
      if (sizes.slice(0, last).some((size) => size < MIN_PART_SIZE)) {
        throw new S3Error(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
        )
      }
      if (sizes.slice(0, last).some((size) => size !== sizes[0]) || sizes[last] > sizes[0]) {
        throw new S3Error('InvalidPart', 'All non-trailing parts must have the same length.')
      }
      return originalPutObjectMultipart.call(this, bucket, uploadId, parts)
    })
  }

  // CompleteMultipartUpload with If-None-Match: * fails with 412 when the key exists, atomically
  // with the write (the same per-key lock as a conditional PUT); the upload stays, as on AWS.
  const originalComplete = objectController.completeMultipartUpload
  objectController.completeMultipartUpload = async function completeMultipartUpload(ctx) {
    const { bucket, key } = ctx.params
    const owner = await uploadKey(ctx.store, bucket, ctx.query.uploadId)
    if (owner !== key) {
      ctx.req.resume()
      throw noSuchUpload()
    }
    const ifNoneMatch = ctx.headers['if-none-match']
    if (ifNoneMatch === undefined) return originalComplete(ctx)
    if (ifNoneMatch.trim() !== '*') {
      ctx.req.resume()
      throw new S3Error(
        'NotImplemented',
        'Only If-None-Match: * is supported on CompleteMultipartUpload',
      )
    }
    return withKeyLock(`${bucket}/${key}`, async () => {
      if (await ctx.store.existsObject(bucket, key)) {
        ctx.req.resume()
        throw new S3Error(
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          {
            Condition: 'If-None-Match',
          },
        )
      }
      return originalComplete(ctx)
    })
  }

  // AbortMultipartUpload and ListMultipartUploads, which s3rver's router refuses, are answered here,
  // just before the router (after the signature check and inside s3rver's XML rendering).
  const handler = async (ctx, next) => {
    const query = ctx.query
    const [, rawBucket = '', ...rest] = ctx.path.split('/')
    const bucket = safeDecode(rawBucket)
    const key = safeDecode(rest.join('/'))
    if (ctx.method === 'DELETE' && key !== '' && 'uploadId' in query) {
      await requireBucket(ctx, bucket)
      await uploadLock(String(query.uploadId), async () => {
        if ((await uploadKey(ctx.store, bucket, query.uploadId)) !== key) throw noSuchUpload()
        await fs.promises.rm(uploadDir(ctx.store, bucket, query.uploadId), {
          recursive: true,
          force: true,
        })
      })
      ctx.status = 204
      return
    }
    if (ctx.method === 'GET' && key === '' && bucket !== '' && 'uploads' in query) {
      await requireBucket(ctx, bucket)
      ctx.body = await listUploads(ctx.store, bucket, String(query.prefix ?? ''))
      return
    }
    return next()
  }
  const requireBucket = async (ctx, bucket) => {
    if (!(await ctx.store.getBucket(bucket))) {
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', {
        BucketName: bucket,
      })
    }
  }
  const listUploads = async (store, bucket, prefix) => {
    const root = store.getResourcePath(bucket, undefined, 'uploads')
    const ids = await fs.promises.readdir(root).catch(() => [])
    const uploads = []
    for (const id of ids) {
      try {
        const keyFile = path.join(root, id, 'key')
        const [key, stat] = await Promise.all([
          fs.promises.readFile(keyFile, 'utf8'),
          fs.promises.stat(keyFile),
        ])
        if (key.startsWith(prefix)) uploads.push({ key, id, initiated: stat.mtime })
      } catch {
        // removed while listing
      }
    }
    uploads.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated))
    return {
      ListMultipartUploadsResult: {
        Bucket: bucket,
        KeyMarker: '',
        UploadIdMarker: '',
        Prefix: prefix,
        MaxUploads: 1000,
        IsTruncated: false,
        ...(uploads.length
          ? {
              Upload: uploads.map((u) => ({
                Key: u.key,
                UploadId: u.id,
                Initiated: u.initiated.toISOString(),
                StorageClass: 'STANDARD',
              })),
            }
          : {}),
      },
    }
  }
  server.middleware.splice(server.middleware.length - 1, 0, handler)
}

function safeDecode(value) {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
