import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ProcessGroup } from '../processes'

export interface S3Options {
  /** Bucket created at start. Default 'cairn-test'. */
  bucket?: string
  /** Port on 127.0.0.1; default 0 (a free one). */
  port?: number
}

export interface LocalS3 {
  endpoint: string
  region: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  /** Where s3rver keeps the objects (one directory per bucket). */
  dir: string
  stop(): Promise<void>
}

// s3rver's built-in account; requests signed with anything else get SignatureDoesNotMatch or
// InvalidAccessKeyId, like a real service.
const ACCESS_KEY_ID = 'S3RVER'
const SECRET_ACCESS_KEY = 'S3RVER'

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 's3rver-child.mjs')

/** Starts s3rver (plus the R2 behaviours Cairn relies on) in a child process. */
export async function startS3(
  options: S3Options = {},
  processes = new ProcessGroup(),
): Promise<LocalS3> {
  const bucket = options.bucket ?? 'cairn-test'
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-s3-'))
  processes.trackDir(dir)
  const config = {
    directory: path.join(dir, 'buckets'),
    incoming: path.join(dir, 'incoming'),
    bucket,
    port: options.port ?? 0,
    address: '127.0.0.1',
  }
  const child = processes.spawn(
    process.execPath,
    ['--openssl-legacy-provider', childScript, JSON.stringify(config)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  )
  const stop = async () => {
    child.child.stdin?.end()
    await child.stop()
    await rm(dir, { recursive: true, force: true })
    processes.untrackDir(dir)
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = ''
      let err = ''
      const timer = setTimeout(() => reject(new Error('s3rver did not start in time')), 15_000)
      child.child.stdout?.setEncoding('utf8')
      child.child.stderr?.setEncoding('utf8')
      child.child.stderr?.on('data', (d: string) => (err = (err + d).slice(-4000)))
      child.child.stdout?.on('data', (d: string) => {
        out += d
        const line = out.split('\n')[0]
        if (out.includes('\n') && line) {
          clearTimeout(timer)
          resolve((JSON.parse(line) as { port: number }).port)
        }
      })
      void child.exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`s3rver exited during start (${code}): ${err.slice(0, 2000)}`))
      })
    })
    return {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'auto',
      bucket,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      dir: config.directory,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
