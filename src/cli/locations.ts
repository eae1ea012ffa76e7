import { userInfo } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { storageConfigSchema, type StorageConfig } from '../shared/domain/settings'
import { CairnError } from '../shared/errors'

/** Where a backup reads from or a restore writes to, as given on the command line. */
export type CliEndpoint =
  | { kind: 'local'; path: string }
  | { kind: 'ssh'; user: string; host: string; port: number; path: string }

function usage(message: string): CairnError {
  return new CairnError('invalid_input', message)
}

/**
 * `ssh://user@host:port/path` (user defaults to the local user, port to 22; IPv6 in brackets)
 * or a local path (relative paths are taken from the current directory).
 */
export function parseEndpoint(text: string, flag: string, cwd = process.cwd()): CliEndpoint {
  if (/^ssh:/i.test(text)) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw usage(`${flag} ${text} is not a valid ssh:// address (ssh://user@host:port/path).`)
    }
    if (url.password) {
      throw usage(`${flag}: Cairn logs in with a key (--identity), not a password in the address.`)
    }
    if (url.search || url.hash) {
      throw usage(`${flag}: an ssh:// address has no ?query or #fragment.`)
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    if (!host) throw usage(`${flag} ${text} names no host.`)
    const path = decodeURIComponent(url.pathname)
    if (!path.startsWith('/') || path === '') {
      throw usage(`${flag} ${text} needs an absolute path after the host, like /home/dev.`)
    }
    const user = decodeURIComponent(url.username) || userInfo().username
    const clean = path === '/' ? '/' : path.replace(/\/+$/, '')
    return { kind: 'ssh', user, host, port: url.port ? Number(url.port) : 22, path: clean }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !/^file:\/\//i.test(text)) {
    throw usage(`${flag} takes ssh://user@host:port/path or a local path, not ${text}.`)
  }
  const local = /^file:\/\//i.test(text) ? decodeURIComponent(new URL(text).pathname) : text
  if (local === '') throw usage(`${flag} needs a path.`)
  return { kind: 'local', path: isAbsolute(local) ? resolve(local) : resolve(cwd, local) }
}

export function describeEndpoint(endpoint: CliEndpoint): string {
  if (endpoint.kind === 'local') return endpoint.path
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host
  const port = endpoint.port === 22 ? '' : `:${endpoint.port}`
  return `ssh://${endpoint.user}@${host}${port}${endpoint.path}`
}

/** The storage options as given on the command line and in the environment. */
export interface RepoOptions {
  repo?: string
  endpoint?: string
  region?: string
  accessKeyId?: string
  secretAccessKey?: string
  pathStyle?: boolean
}

export interface RepoLocation {
  config: StorageConfig
  /** For S3: the secret access key (never printed). */
  secretAccessKey: string | null
  /** How to show it: s3://bucket/prefix at host, or the folder. */
  label: string
}

/**
 * The repository location: `s3://bucket/prefix` (endpoint, region, keys from the flags or the
 * standard AWS environment variables) or a folder. `CAIRN_REPO` stands in for --repo.
 */
export function parseRepo(
  options: RepoOptions,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): RepoLocation {
  const text = options.repo ?? env.CAIRN_REPO
  if (!text) {
    throw usage('Say where the repository is: --repo s3://bucket/prefix or --repo /path/to/folder.')
  }
  if (/^s3:\/\//i.test(text)) return parseS3(text, options, env)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !/^file:\/\//i.test(text)) {
    throw usage(`--repo takes s3://bucket/prefix or a folder path, not ${text}.`)
  }
  const path = /^file:\/\//i.test(text) ? decodeURIComponent(new URL(text).pathname) : text
  const absolute = isAbsolute(path) ? resolve(path) : resolve(cwd, path)
  return { config: { kind: 'folder', path: absolute }, secretAccessKey: null, label: absolute }
}

function parseS3(text: string, options: RepoOptions, env: NodeJS.ProcessEnv): RepoLocation {
  const rest = text.replace(/^s3:\/\//i, '')
  const slash = rest.indexOf('/')
  const bucket = slash < 0 ? rest : rest.slice(0, slash)
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '')
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'auto'
  let endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL
  if (!endpoint && region !== 'auto') endpoint = `https://s3.${region}.amazonaws.com`
  if (!endpoint) {
    throw usage(
      'S3 needs an endpoint: pass --endpoint https://<account>.r2.cloudflarestorage.com (or set ' +
        'AWS_ENDPOINT_URL_S3), or a region other than auto for AWS.',
    )
  }
  const accessKeyId = options.accessKeyId ?? env.AWS_ACCESS_KEY_ID
  const secretAccessKey = options.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) {
    throw usage(
      'S3 needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or pass ' +
        '--access-key-id and --secret-access-key).',
    )
  }
  const parsed = storageConfigSchema.safeParse({
    kind: 's3',
    endpoint,
    region,
    bucket,
    prefix,
    accessKeyId,
    forcePathStyle: options.pathStyle ?? true,
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw usage(`--repo ${text}: ${issue.path.join('.') || 'value'}: ${issue.message}`)
  }
  const host = new URL(endpoint).host
  return {
    config: parsed.data,
    secretAccessKey,
    label: `s3://${bucket}${prefix ? `/${prefix}` : ''} at ${host}`,
  }
}
