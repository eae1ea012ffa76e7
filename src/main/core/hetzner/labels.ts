import { CairnError } from '../../../shared/errors'

// Hetzner's label rules (the Kubernetes ones): a value is empty or up to 63 characters of
// letters, digits, '-', '_' and '.', starting and ending with a letter or digit. A key is such a
// name, optionally after a DNS-subdomain prefix and '/'; the prefix `hetzner.cloud/` is Hetzner's.

const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export function isValidLabelValue(value: string): boolean {
  return value === '' || NAME.test(value)
}

export function isValidLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/')
  const name = slash < 0 ? key : key.slice(slash + 1)
  if (!NAME.test(name)) return false
  if (slash < 0) return true
  const prefix = key.slice(0, slash)
  if (prefix.length > 253 || prefix === 'hetzner.cloud' || prefix.endsWith('.hetzner.cloud')) {
    return false
  }
  return prefix.split('.').every((part) => DNS_LABEL.test(part))
}

/** Throws invalid_input naming the first key or value Hetzner would refuse. */
export function assertValidLabels(labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!isValidLabelKey(key)) {
      throw new CairnError('invalid_input', `"${key}" cannot be a Hetzner label key.`)
    }
    if (!isValidLabelValue(value)) {
      throw new CairnError(
        'invalid_input',
        `"${value}" cannot be the value of the Hetzner label ${key}: at most 63 letters, digits, ` +
          `"-", "_" or ".", starting and ending with a letter or digit.`,
      )
    }
  }
}

/** A label selector matching resources that carry all of `labels` (`k=v,k2=v2`). */
export function labelSelector(labels: Record<string, string>): string {
  assertValidLabels(labels)
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}
