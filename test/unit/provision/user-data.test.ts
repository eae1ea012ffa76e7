import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { generateEd25519KeyPair } from '../../../src/main/core/ssh/ed25519-key'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseCloudConfig } from '../../../cloud/vm/cloud-config'
import { USER_DATA_LIMIT_BYTES } from '../../../src/main/core/hetzner/servers'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { buildUserData, type UserDataInput } from '../../../src/main/core/provision/user-data'
import { toYaml, type YamlValue } from '../../../src/main/core/provision/yaml'

/** What cloud-init's own parser (PyYAML, YAML 1.1) makes of a document. */
function pyyaml(text: string): unknown {
  const r = spawnSync(
    'python3',
    ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'],
    { input: text, encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

function sshField(b: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(b.length)
  return Buffer.concat([len, b])
}
/** A structurally valid RSA-4096 public key line (about 740 bytes): the largest common key. */
function rsa4096(comment: string): string {
  const blob = Buffer.concat([
    sshField(Buffer.from('ssh-rsa')),
    sshField(Buffer.from([1, 0, 1])),
    sshField(Buffer.concat([Buffer.from([0]), randomBytes(512)])),
  ])
  return `ssh-rsa ${blob.toString('base64')} ${comment}`
}

function input(overrides: Partial<UserDataInput> = {}): UserDataInput {
  return {
    workspaceId: 'ws-0123456789abcdef',
    authorizedKeys: [generateEd25519KeyPair('cairn:installation').publicKey],
    hostKey: generateHostKey(),
    swapBytes: 4 * 1024 ** 3,
    ...overrides,
  }
}

describe('buildUserData', () => {
  it('is #cloud-config that cloud-init (PyYAML) and the yaml package read identically', () => {
    const i = input()
    const text = buildUserData(i)
    expect(text.startsWith('#cloud-config\n')).toBe(true)
    const doc = parse(text, { version: '1.1' }) as Record<string, unknown>
    expect(pyyaml(text)).toEqual(doc)
    expect(doc).toEqual({
      users: [
        {
          name: 'dev',
          uid: 1000,
          gecos: 'Cairn workspace',
          homedir: '/home/dev',
          shell: '/bin/bash',
          sudo: 'ALL=(ALL) NOPASSWD:ALL',
          lock_passwd: true,
          ssh_authorized_keys: i.authorizedKeys,
        },
      ],
      ssh_pwauth: false,
      disable_root: true,
      ssh_deletekeys: true,
      ssh_genkeytypes: [],
      ssh_keys: { ed25519_private: i.hostKey.privateKey, ed25519_public: i.hostKey.publicKey },
      swap: { filename: '/swapfile', size: 4 * 1024 ** 3, maxsize: 4 * 1024 ** 3 },
      final_message: 'Cairn workspace ws-0123456789abcdef: cloud-init finished after $UPTIME s',
    })
  })

  it('is applied by the local cloud’s cloud-init reader without errors', () => {
    const i = input()
    const config = parseCloudConfig(buildUserData(i))
    expect(config.errors).toEqual([])
    expect(config.users).toMatchObject([
      { name: 'dev', uid: 1000, shell: '/bin/bash', sshAuthorizedKeys: i.authorizedKeys },
    ])
    expect(config.hostKeys).toEqual([
      { type: 'ed25519', privateKey: i.hostKey.privateKey, publicKey: i.hostKey.publicKey },
    ])
    expect(config).toMatchObject({ sshPwauth: false, disableRoot: true })
    expect(config.skipped.sort()).toEqual(['final_message', 'swap'])
  })

  it('holds no secret but the host key, and no swap or packages unless asked', () => {
    const text = buildUserData(input({ swapBytes: 0 }))
    for (const absent of ['swap:', 'packages:', 'password', 'chpasswd', 'runcmd', 'write_files'])
      expect(text).not.toContain(absent)
    expect(text.match(/PRIVATE KEY-----/g)).toHaveLength(2) // BEGIN and END of the host key
    const withPackages = parse(buildUserData(input({ packages: ['rsync', 'zstd'] })), {
      version: '1.1',
    })
    expect(withPackages.packages).toEqual(['rsync', 'zstd'])
  })

  it('keeps key comments with quotes, backslashes, # and colons exact', () => {
    const tricky = `${generateEd25519KeyPair().publicKey.split(' ').slice(0, 2).join(' ')} a "b" \\c #d e: f - 'g'`
    const text = buildUserData(input({ authorizedKeys: [tricky] }))
    expect(
      (pyyaml(text) as { users: [{ ssh_authorized_keys: string[] }] }).users[0].ssh_authorized_keys,
    ).toEqual([tricky])
  })

  it('stays under 32 KiB with the largest realistic input, and refuses more with a clear error', () => {
    const keys = [
      input().authorizedKeys[0]!,
      ...Array.from({ length: 30 }, (_, n) =>
        rsa4096(`someone.with.a.long.name-${n}@a-workstation.example.com`),
      ),
    ]
    const packages = Array.from({ length: 20 }, (_, n) => `package-with-a-long-name-${n}`)
    const big = buildUserData(
      input({ workspaceId: 'w'.repeat(63), authorizedKeys: keys, packages }),
    )
    expect(Buffer.byteLength(big)).toBeLessThan(USER_DATA_LIMIT_BYTES)
    expect(
      (pyyaml(big) as { users: [{ ssh_authorized_keys: string[] }] }).users[0].ssh_authorized_keys,
    ).toEqual(keys)

    const tooMany = [...keys, ...keys]
    expect(() => buildUserData(input({ authorizedKeys: tooMany }))).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: expect.stringMatching(/would be \d+ bytes; Hetzner accepts at most 32768/),
      }),
    )
  })

  it('refuses input that is not what it claims to be', () => {
    const bad: Array<Partial<UserDataInput>> = [
      { authorizedKeys: [] },
      { authorizedKeys: ['ssh-ed25519 AAAA\nruncmd: [reboot]'] },
      { authorizedKeys: ['not a key'] },
      { workspaceId: 'has space' },
      {
        hostKey: { ...generateHostKey(), publicKey: rsa4096('x').split(' ').slice(0, 2).join(' ') },
      },
      { hostKey: { ...generateHostKey(), privateKey: 'secret' } },
      { swapBytes: -1 },
      { packages: ['rsync; reboot'] },
    ]
    for (const b of bad)
      expect(() => buildUserData(input(b))).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      )
  })
})

describe('toYaml', () => {
  it('writes strings YAML 1.1 would otherwise read as other types as strings', () => {
    const words = [
      'yes',
      'no',
      'on',
      'off',
      'y',
      'n',
      'null',
      '~',
      '0600',
      '1e3',
      '0x1f',
      '12:30',
      '- x',
      '#x',
      'a: b',
      '',
      ' lead',
      'tail ',
      "'q'",
      '"dq"',
      '\\',
      '[a]',
      '{a}',
      '&a',
      '*a',
      '!t',
      '%d',
      '@',
      '`',
    ]
    const nested: YamlValue[] = [{ a: 'yes', b: [] }, { c: {} }]
    const doc = { words, nested, num: 3, flag: true }
    const text = toYaml(doc)
    expect(parse(text, { version: '1.1' })).toEqual(doc)
    expect(pyyaml(text)).toEqual(doc)
  })

  it('refuses what it cannot write safely', () => {
    expect(() => toYaml({ s: 'tab\there' })).toThrow()
    expect(() => toYaml({ s: 'é' })).toThrow()
    expect(() => toYaml({ yes: 'x' })).toThrow()
    expect(() => toYaml({ n: 'x' })).toThrow()
    expect(() => toYaml({ 'a b': 'x' })).toThrow()
    expect(() => toYaml({ n: 1.5 })).toThrow()
    expect(() => toYaml({ block: 'line\n  indented\n' })).toThrow()
  })
})
