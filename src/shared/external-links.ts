/**
 * Links the app may hand to the user's browser. Only https, only these hosts (and their
 * subdomains): a compromised or confused renderer must not be able to open arbitrary URLs or
 * schemes (file:, smb:, custom handlers) through the OS.
 */
const allowedHosts = [
  'hetzner.com',
  'hetzner.cloud',
  'cloudflare.com',
  'github.com',
  'restic.net',
  'kopia.io',
]

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false
  const host = url.hostname.toLowerCase()
  return allowedHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`))
}
