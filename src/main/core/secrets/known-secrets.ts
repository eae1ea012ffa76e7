/**
 * The secret values this process has seen (tokens, storage keys). The logger redacts them and the
 * settings store refuses to write a file containing one, so a mistake elsewhere cannot put a
 * secret into a log or a settings file.
 */
export class KnownSecrets {
  private readonly values = new Set<string>()

  add(value: string | null | undefined): void {
    // Very short values would redact ordinary words; no real credential is that short.
    if (value && value.length >= 8) this.values.add(value)
  }

  /** True if `text` contains any known secret. */
  occursIn(text: string): boolean {
    for (const value of this.values) if (text.includes(value)) return true
    return false
  }

  redact(text: string, replacement = '[redacted]'): string {
    let out = text
    for (const value of this.values)
      if (out.includes(value)) out = out.split(value).join(replacement)
    return out
  }
}
