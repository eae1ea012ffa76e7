import { createHmac, timingSafeEqual } from 'node:crypto'
import { CairnError } from '../shared/errors'
import { parsePinnedHostKey } from '../main/core/ssh/host-key'

/** A host key found for a host in a known_hosts file: `type base64`, ready to pin. */
export interface KnownHostKey {
  type: string
  key: string
  /** 1-based line number, for messages. */
  line: number
}

/** Preference when a host has several keys: the server is asked for the pinned key's type. */
const TYPE_PREFERENCE = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
]

/** How OpenSSH names a host in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase()
  return port === 22 ? h : `[${h}]:${port}`
}

/**
 * The keys a known_hosts file lists for host:port, best first (ed25519, ECDSA, RSA). Supports
 * what OpenSSH writes and reads: comma-separated host patterns with `*`/`?` wildcards and `!`
 * negation, `[host]:port`, hashed names (`|1|salt|hash`), comments and blank lines. `@revoked`
 * keys are removed from the result; `@cert-authority` lines are ignored (Cairn pins plain keys).
 */
export function findKnownHostKeys(text: string, host: string, port: number): KnownHostKey[] {
  const name = knownHostsName(host, port)
  const found: KnownHostKey[] = []
  const revoked = new Set<string>()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    let marker: string | null = null
    if (fields[0]!.startsWith('@')) marker = fields.shift()!
    const [patterns, type, key] = fields
    if (patterns === undefined || type === undefined || key === undefined) continue
    if (!hostMatches(patterns, name, host, port)) continue
    if (marker === '@revoked') revoked.add(`${type} ${key}`)
    else if (marker === null) found.push({ type, key, line: i + 1 })
  }
  const rank = (t: string) => {
    const at = TYPE_PREFERENCE.indexOf(t)
    return at < 0 ? TYPE_PREFERENCE.length : at
  }
  return found
    .filter((k) => !revoked.has(`${k.type} ${k.key}`))
    .sort((a, b) => rank(a.type) - rank(b.type) || a.line - b.line)
}

/**
 * The host key to pin for host:port from a known_hosts file's text. `file` names the file in
 * messages. Refuses (with what to do) when the host is not listed: Cairn never trusts on first use.
 */
export function pinnedKeyFromKnownHosts(
  text: string,
  host: string,
  port: number,
  file: string,
): string {
  const keys = findKnownHostKeys(text, host, port)
  for (const candidate of keys) {
    const pin = `${candidate.type} ${candidate.key}`
    try {
      parsePinnedHostKey(pin)
      return pin
    } catch {
      // A malformed or unsupported line; another key for the host may do.
    }
  }
  throw new CairnError(
    'not_configured',
    `${file} has no usable host key for ${knownHostsName(host, port)}. Cairn does not trust a host ` +
      `on first use: add its key (for example from the machine's /etc/ssh/ssh_host_ed25519_key.pub, ` +
      `as the line "${knownHostsName(host, port)} ssh-ed25519 AAAA..."), or pass --host-key.`,
  )
}

function hostMatches(patterns: string, name: string, host: string, port: number): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name)
  let matched = false
  for (const raw of patterns.split(',')) {
    const negated = raw.startsWith('!')
    const pattern = negated ? raw.slice(1) : raw
    if (patternMatches(pattern, name, host, port)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

function patternMatches(pattern: string, name: string, host: string, port: number): boolean {
  // `[pattern]:port` matches only that port; a bare pattern only port 22 (as OpenSSH does).
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(pattern)
  if (bracketed) {
    return Number(bracketed[2]) === port && globMatches(bracketed[1]!, host)
  }
  return port === 22 ? globMatches(pattern, host) : pattern === name
}

function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`).test(text.toLowerCase())
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|')
  // ['', '1', salt, hash]
  if (parts.length !== 4) return false
  const salt = Buffer.from(parts[2]!, 'base64')
  const hash = Buffer.from(parts[3]!, 'base64')
  if (salt.length !== 20 || hash.length !== 20) return false
  const computed = createHmac('sha1', salt).update(name).digest()
  return timingSafeEqual(computed, hash)
}
