// Runs s3rver in its own Node process, started by cloud/s3/index.ts with --openssl-legacy-provider:
// s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through
// the legacy provider. Keeping that flag in this child leaves the test process's crypto untouched.
//
// The R2 behaviours Cairn relies on are added here, by wrapping s3rver's own functions:
//  - PUT with `If-None-Match: *` fails with 412 PreconditionFailed when the key exists (atomic
//    per key within this process, which is the only writer).
//  - Requests must carry a valid AWS SigV4 signature (s3rver itself never checks V4 signatures
//    and serves unsigned requests); see sigv4.mjs.
//  - An object becomes visible only when fully written (s3rver writes in place and answers before
//    the data is flushed, so a GET right after a PUT could see a short file).
//  - Multipart uploads as R2 has them: abort, list, part checks at completion and If-None-Match: *
//    on CompleteMultipartUpload; see multipart.mjs.
import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import crypto from 'node:crypto'
import { installMultipart } from './multipart.mjs'
import { checkSignature } from './sigv4.mjs'

const require = createRequire(import.meta.url)
const S3rver = require('s3rver')
const S3Error = require('s3rver/lib/models/error')
const objectController = require('s3rver/lib/controllers/object')
const FilesystemStore = require('s3rver/lib/stores/filesystem')

const config = JSON.parse(process.argv[2] ?? '{}')
const { directory, incoming, bucket, port = 0, address = '127.0.0.1' } = config

// One lock per key: the existence check and the write happen as one step.
const keyLocks = new Map()
async function withKeyLock(id, fn) {
  const previous = keyLocks.get(id) ?? Promise.resolve()
  let release
  const current = new Promise((r) => (release = r))
  const chained = previous.then(() => current)
  keyLocks.set(id, chained)
  await previous
  try {
    return await fn()
  } finally {
    release()
    if (keyLocks.get(id) === chained) keyLocks.delete(id)
  }
}

// Structural changes of the directory tree (mkdir for a put, rmdir of empty dirs after a delete)
// are serialised so that a delete's cleanup cannot remove the directory a put is about to use.
let treeLock = Promise.resolve()
function withTreeLock(fn) {
  const run = treeLock.then(fn, fn)
  treeLock = run.catch(() => {})
  return run
}

const originalPutObject = objectController.putObject
objectController.putObject = async function putObject(ctx) {
  const ifNoneMatch = ctx.headers['if-none-match']
  if (ifNoneMatch === undefined) return originalPutObject(ctx)
  if (ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', 'Only If-None-Match: * is supported on PUT')
  }
  const { bucket: b, key } = ctx.params
  return withKeyLock(`${b}/${key}`, async () => {
    if (await ctx.store.existsObject(b, key)) {
      // Drain the body so the client sees the response instead of a reset connection.
      ctx.req.resume()
      throw new S3Error(
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        { Condition: 'If-None-Match' },
      )
    }
    return originalPutObject(ctx)
  })
}

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object')
  const temp = path.join(incoming, randomUUID())
  const md5Context = crypto.createHash('md5')
  let size = 0
  try {
    if (Buffer.isBuffer(object.content)) {
      md5Context.update(object.content)
      size = object.content.length
      await fs.promises.writeFile(temp, object.content)
    } else {
      await pipeline(
        object.content,
        new Transform({
          transform(chunk, _encoding, callback) {
            md5Context.update(chunk)
            size += chunk.length
            callback(null, chunk)
          },
        }),
        fs.createWriteStream(temp),
      )
    }
    const md5 = md5Context.digest('hex')
    await withTreeLock(async () => {
      await fs.promises.mkdir(path.dirname(objectPath), { recursive: true })
      await this.putMetadata(object.bucket, object.key, object.metadata, md5)
      await fs.promises.rename(temp, objectPath)
    })
    return { size, md5 }
  } catch (error) {
    await fs.promises.rm(temp, { force: true })
    throw error
  }
}

const originalDeleteObject = FilesystemStore.prototype.deleteObject
FilesystemStore.prototype.deleteObject = function deleteObject(b, key) {
  return withTreeLock(() => originalDeleteObject.call(this, b, key))
}

fs.mkdirSync(directory, { recursive: true })
fs.mkdirSync(incoming, { recursive: true })

const server = new S3rver({
  address,
  port,
  directory,
  silent: true,
  // Path-style only: virtual-host buckets would need DNS names for 127.0.0.1.
  vhostBuckets: false,
  configureBuckets: bucket ? [{ name: bucket }] : [],
})
// s3rver's built-in account (its own middleware later looks the key id up too).
const credentials = new Map([['S3RVER', 'S3RVER']])
// First in the chain, before s3rver's own (lenient) authentication and routing.
server.middleware.unshift(async (ctx, next) => {
  if (ctx.method !== 'OPTIONS') {
    const problem = checkSignature(ctx.req, (key) => credentials.get(key))
    if (problem) {
      ctx.req.resume()
      throw new S3Error(problem[0], problem[1])
    }
  }
  return next()
})
installMultipart({ server, objectController, FilesystemStore, S3Error, incoming, withKeyLock })
const { port: boundPort } = await server.run()
process.stdout.write(JSON.stringify({ port: boundPort }) + '\n')

const shutdown = () => {
  server.close().finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
// The parent holds our stdin: when it goes away (even killed), so do we.
process.stdin.on('end', shutdown)
process.stdin.resume()
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
