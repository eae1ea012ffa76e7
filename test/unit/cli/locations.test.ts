import { describe, expect, it } from 'vitest'
import {
  describeEndpoint,
  parseEndpoint,
  parseRepo,
  type CliEndpoint,
} from '../../../src/cli/locations'
import { deriveWorkspaceId } from '../../../src/cli/repository'
import { CairnError } from '../../../src/shared/errors'

function usageError(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('invalid_input')
    return (error as CairnError).message
  }
  throw new Error('expected a usage error')
}

describe('parseEndpoint', () => {
  it('reads ssh:// addresses with user, port, IPv6 and escaped paths', () => {
    expect(parseEndpoint('ssh://dev@127.0.0.5:2222/home/dev/', '--from')).toEqual({
      kind: 'ssh',
      user: 'dev',
      host: '127.0.0.5',
      port: 2222,
      path: '/home/dev',
    })
    expect(parseEndpoint('ssh://root@[::1]/srv/my%20app', '--from')).toMatchObject({
      host: '::1',
      port: 22,
      path: '/srv/my app',
    })
    expect(parseEndpoint('ssh://h.example/', '--from')).toMatchObject({
      path: '/',
      user: expect.any(String),
    })
  })

  it('refuses passwords, queries, other schemes and a missing path', () => {
    expect(usageError(() => parseEndpoint('ssh://dev:pw@h/x', '--from'))).toMatch(/password/)
    expect(usageError(() => parseEndpoint('ssh://dev@h/x?y=1', '--from'))).toMatch(/query/)
    expect(usageError(() => parseEndpoint('ssh://dev@h', '--from'))).toMatch(/absolute path/)
    expect(usageError(() => parseEndpoint('sftp://dev@h/x', '--target'))).toMatch(/--target/)
  })

  it('resolves local paths against the working directory', () => {
    expect(parseEndpoint('proj', '--from', '/home/me')).toEqual({
      kind: 'local',
      path: '/home/me/proj',
    })
    expect(parseEndpoint('/a/b/../c', '--from')).toEqual({ kind: 'local', path: '/a/c' })
    expect(parseEndpoint('file:///srv/x', '--from')).toEqual({ kind: 'local', path: '/srv/x' })
  })

  it('describes endpoints for messages', () => {
    const e: CliEndpoint = { kind: 'ssh', user: 'dev', host: '::1', port: 2222, path: '/x' }
    expect(describeEndpoint(e)).toBe('ssh://dev@[::1]:2222/x')
    expect(describeEndpoint({ ...e, host: 'h', port: 22 })).toBe('ssh://dev@h/x')
  })
})

describe('parseRepo', () => {
  const env = {
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret-example-key',
  }

  it('reads s3://bucket/prefix with endpoint and keys from the AWS variables', () => {
    const repo = parseRepo({ repo: 's3://my-bucket/team/cairn/' }, env)
    expect(repo.config).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      region: 'auto',
      bucket: 'my-bucket',
      prefix: 'team/cairn',
      accessKeyId: 'AKIDEXAMPLE',
      forcePathStyle: true,
    })
    expect(repo.secretAccessKey).toBe('secret-example-key')
    expect(repo.label).toBe('s3://my-bucket/team/cairn at 127.0.0.1:9000')
    expect(repo.label).not.toContain('secret')
  })

  it('flags win over the environment; AWS_ENDPOINT_URL and a region give endpoints', () => {
    const repo = parseRepo(
      {
        repo: 's3://b-1',
        endpoint: 'https://acc.r2.cloudflarestorage.com',
        accessKeyId: 'FLAGKEY',
        secretAccessKey: 'flag-secret',
        pathStyle: false,
      },
      env,
    )
    expect(repo.config).toMatchObject({
      endpoint: 'https://acc.r2.cloudflarestorage.com',
      accessKeyId: 'FLAGKEY',
      prefix: '',
      forcePathStyle: false,
    })
    expect(
      parseRepo(
        { repo: 's3://b-1' },
        { ...env, AWS_ENDPOINT_URL_S3: undefined, AWS_ENDPOINT_URL: 'http://x:1' },
      ).config,
    ).toMatchObject({ endpoint: 'http://x:1' })
    expect(
      parseRepo(
        { repo: 's3://b-1' },
        { ...env, AWS_ENDPOINT_URL_S3: undefined, AWS_REGION: 'eu-west-1' },
      ).config,
    ).toMatchObject({ endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1' })
  })

  it('says what is missing', () => {
    expect(usageError(() => parseRepo({}, {}))).toMatch(/--repo/)
    expect(usageError(() => parseRepo({ repo: 's3://b-1' }, { AWS_ACCESS_KEY_ID: 'x' }))).toMatch(
      /endpoint/,
    )
    expect(
      usageError(() => parseRepo({ repo: 's3://b-1' }, { AWS_ENDPOINT_URL_S3: 'http://x:1' })),
    ).toMatch(/AWS_ACCESS_KEY_ID/)
    expect(usageError(() => parseRepo({ repo: 's3://Bad_Bucket' }, env))).toMatch(/bucket/)
    expect(usageError(() => parseRepo({ repo: 'gs://x' }, env))).toMatch(/s3:\/\//)
  })

  it('takes folders (relative to the working directory) and CAIRN_REPO', () => {
    expect(parseRepo({ repo: 'backups' }, {}, '/home/me').config).toEqual({
      kind: 'folder',
      path: '/home/me/backups',
    })
    expect(parseRepo({}, { CAIRN_REPO: '/srv/cairn' }).config).toEqual({
      kind: 'folder',
      path: '/srv/cairn',
    })
  })
})

describe('deriveWorkspaceId', () => {
  it('is <host>-<last path component>, cleaned to a valid id', () => {
    expect(
      deriveWorkspaceId({
        kind: 'ssh',
        user: 'dev',
        host: '127.0.0.5',
        port: 2222,
        path: '/home/dev',
      }),
    ).toBe('127-0-0-5-dev')
    expect(deriveWorkspaceId({ kind: 'local', path: '/home/me/my project!' }, 'laptop.local')).toBe(
      'laptop-my-project',
    )
    expect(
      deriveWorkspaceId({ kind: 'ssh', user: 'r', host: 'h.example.com', port: 22, path: '/' }),
    ).toBe('h-example-com')
    expect(deriveWorkspaceId({ kind: 'local', path: '/' }, '...')).toBe('workspace')
    const long = deriveWorkspaceId({ kind: 'local', path: `/${'a'.repeat(100)}` }, 'h')
    expect(long).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
  })
})
