import type { KnownSecrets } from '../secrets/known-secrets'

const R = '[redacted]'

/**
 * Shapes of credentials Cairn handles, for text that may hold one Cairn has not been told about
 * (a token the user pasted that failed, a header echoed in a library's error). Over-redacting a
 * log line is harmless; leaking a credential is not.
 */
const patterns: Array<[RegExp, string]> = [
  // Authorization headers and the like: "Bearer abc...", "Basic abc..."
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${R}`],
  // key=value and "key": "value" for names that always hold secrets
  [
    /((?:secret[_-]?access[_-]?key|secretAccessKey|aws_secret_access_key|api[_-]?token|token|password|authorization|x-amz-signature|x-amz-security-token)["']?\s*[:=]\s*["']?)[^"'\s,;&}]+/gi,
    `$1${R}`,
  ],
  // Hetzner API tokens: 64 letters and digits, mixed case (hex digests are lower case and pass)
  [/(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])[A-Za-z0-9]{64}(?![A-Za-z0-9])/g, R],
  // AWS-style secret access keys: 40 characters of base64 with at least one digit or + or /
  [
    /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    R,
  ],
]

/** Removes known secret values and anything shaped like a credential. */
export function redact(text: string, known?: KnownSecrets): string {
  let out = known ? known.redact(text, R) : text
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement)
  return out
}

/** True if a string is shaped like a Hetzner token (used to guard settings files). */
export function looksLikeHetznerToken(text: string): boolean {
  return /(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])/.test(
    text,
  )
}
