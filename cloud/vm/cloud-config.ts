import { parse } from 'yaml'

// The parts of cloud-init's #cloud-config that Cairn relies on, read the way cloud-init reads
// them. Everything else is recorded (so a test can see it was sent) but not applied.

export interface CloudUser {
  name: string
  uid?: number
  shell: string
  homedir: string
  sshAuthorizedKeys: string[]
  sudo: string[]
  groups: string[]
}

export interface WriteFile {
  path: string
  content: Buffer
  /** Mode bits, e.g. 0o600. */
  permissions: number
  owner: string
  append: boolean
}

export interface CloudConfig {
  users: CloudUser[]
  hostKeys: { type: 'ed25519' | 'ecdsa' | 'rsa'; privateKey: string; publicKey?: string }[]
  sshPwauth: boolean | undefined
  disableRoot: boolean
  writeFiles: WriteFile[]
  runcmd: unknown[]
  hostname: string | undefined
  /** Top-level keys present but not applied by the fake VM. */
  skipped: string[]
  /** Problems found while reading (the VM still boots, like cloud-init does). */
  errors: string[]
}

const APPLIED = new Set([
  'users',
  'ssh_keys',
  'ssh_pwauth',
  'disable_root',
  'write_files',
  'runcmd',
  'hostname',
  'preserve_hostname',
  'ssh_deletekeys',
  'ssh_genkeytypes',
])

const userName = /^[a-z_][a-z0-9_-]{0,31}$/

function asStringList(value: unknown): string[] {
  if (value === undefined || value === null || value === false) return []
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return []
}

function readUser(entry: unknown, errors: string[]): CloudUser | undefined {
  // "default" is the image's default user; on Ubuntu images that is `ubuntu`.
  if (entry === 'default') {
    return {
      name: 'ubuntu',
      shell: '/bin/bash',
      homedir: '/home/ubuntu',
      sshAuthorizedKeys: [],
      sudo: ['ALL=(ALL) NOPASSWD:ALL'],
      groups: [],
    }
  }
  if (typeof entry === 'string') entry = { name: entry }
  if (typeof entry !== 'object' || entry === null) {
    errors.push('users: an entry is neither a name nor a mapping')
    return undefined
  }
  const u = entry as Record<string, unknown>
  const name = u.name
  if (typeof name !== 'string' || !userName.test(name)) {
    errors.push(`users: invalid user name ${JSON.stringify(name)}`)
    return undefined
  }
  const homedir =
    typeof u.homedir === 'string' ? u.homedir : name === 'root' ? '/root' : `/home/${name}`
  const groups =
    typeof u.groups === 'string' ? u.groups.split(',').map((g) => g.trim()) : asStringList(u.groups)
  return {
    name,
    uid:
      typeof u.uid === 'number'
        ? u.uid
        : typeof u.uid === 'string' && /^\d+$/.test(u.uid)
          ? Number(u.uid)
          : undefined,
    shell: typeof u.shell === 'string' ? u.shell : '/bin/sh',
    homedir,
    sshAuthorizedKeys: asStringList(u.ssh_authorized_keys),
    sudo: asStringList(u.sudo),
    groups: groups.filter((g) => g !== ''),
  }
}

function readWriteFile(entry: unknown, errors: string[]): WriteFile | undefined {
  if (typeof entry !== 'object' || entry === null) {
    errors.push('write_files: an entry is not a mapping')
    return undefined
  }
  const f = entry as Record<string, unknown>
  if (typeof f.path !== 'string' || !f.path.startsWith('/')) {
    errors.push(`write_files: invalid path ${JSON.stringify(f.path)}`)
    return undefined
  }
  const raw = typeof f.content === 'string' ? f.content : ''
  const encoding = typeof f.encoding === 'string' ? f.encoding.toLowerCase() : 'text/plain'
  let content: Buffer
  if (['b64', 'base64'].includes(encoding)) content = Buffer.from(raw, 'base64')
  else if (['text/plain', 'text'].includes(encoding)) content = Buffer.from(raw, 'utf8')
  else {
    errors.push(`write_files: encoding ${encoding} of ${f.path} is not supported here`)
    return undefined
  }
  let permissions = 0o644
  if (typeof f.permissions === 'string' && /^0?[0-7]{3,4}$/.test(f.permissions)) {
    permissions = parseInt(f.permissions, 8)
  } else if (typeof f.permissions === 'number' && f.permissions >= 0 && f.permissions <= 0o7777) {
    // Read as YAML 1.1 (like cloud-init's PyYAML), an unquoted 0600 is already the octal 384.
    permissions = f.permissions
  }
  return {
    path: f.path,
    content,
    permissions,
    owner: typeof f.owner === 'string' ? f.owner : 'root:root',
    append: f.append === true,
  }
}

/** Reads user_data; anything that is not #cloud-config yields an empty config. */
export function parseCloudConfig(userData: string | null | undefined): CloudConfig {
  const config: CloudConfig = {
    users: [],
    hostKeys: [],
    sshPwauth: undefined,
    disableRoot: false,
    writeFiles: [],
    runcmd: [],
    hostname: undefined,
    skipped: [],
    errors: [],
  }
  if (!userData) return config
  if (!/^#cloud-config[ \t]*\r?\n/.test(userData + '\n')) {
    config.errors.push('user_data is not #cloud-config; it is recorded but not run')
    return config
  }
  let doc: unknown
  try {
    // YAML 1.1 as cloud-init's PyYAML reads it: 0600 is octal, yes/no are booleans.
    doc = parse(userData, { version: '1.1' })
  } catch (error) {
    config.errors.push(`user_data is not valid YAML: ${(error as Error).message.split('\n')[0]}`)
    return config
  }
  if (doc === null || doc === undefined) return config
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    config.errors.push('user_data is not a mapping')
    return config
  }
  const c = doc as Record<string, unknown>
  for (const key of Object.keys(c)) if (!APPLIED.has(key)) config.skipped.push(key)

  if (c.users !== undefined) {
    if (!Array.isArray(c.users)) config.errors.push('users: must be a list')
    else
      for (const entry of c.users) {
        const user = readUser(entry, config.errors)
        if (user) config.users.push(user)
      }
  }
  if (c.ssh_keys && typeof c.ssh_keys === 'object') {
    const keys = c.ssh_keys as Record<string, unknown>
    for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
      const priv = keys[`${type}_private`]
      const pub = keys[`${type}_public`]
      if (typeof priv === 'string') {
        config.hostKeys.push({
          type,
          privateKey: priv,
          publicKey: typeof pub === 'string' ? pub : undefined,
        })
      }
    }
  }
  if (typeof c.ssh_pwauth === 'boolean') config.sshPwauth = c.ssh_pwauth
  config.disableRoot = c.disable_root === true
  if (c.write_files !== undefined) {
    if (!Array.isArray(c.write_files)) config.errors.push('write_files: must be a list')
    else
      for (const entry of c.write_files) {
        const file = readWriteFile(entry, config.errors)
        if (file) config.writeFiles.push(file)
      }
  }
  if (Array.isArray(c.runcmd)) config.runcmd = c.runcmd
  if (typeof c.hostname === 'string') config.hostname = c.hostname
  return config
}
