import { useState } from 'react'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { recoveryGroups, type ConfirmInput } from '../../lib/onboarding'

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

function download(text: string) {
  const body = `Cairn recovery key\n\n${text}\n\nWith this key and your storage credentials, any computer can open your restore points.\nKeep it somewhere safe, away from this computer.\n`
  const url = URL.createObjectURL(new Blob([body], { type: 'text/plain' }))
  const link = document.createElement('a')
  link.href = url
  link.download = 'cairn-recovery-key.txt'
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** The key, large and in groups, with copy and download. */
export function RecoveryKeyShown({ recoveryKey }: { recoveryKey: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle')
  return (
    <div className="onb-key" data-testid="recovery-key">
      <p className="onb-key-value mono" data-testid="recovery-key-value" aria-label="Recovery key">
        {recoveryGroups(recoveryKey).map((group, index, all) => (
          // The dash stays with its group, so no line starts with one.
          <span key={index} className="onb-key-group">
            {group}
            {index < all.length - 1 ? <span className="onb-key-dash">-</span> : null}
          </span>
        ))}
      </p>
      <div className="onb-key-actions">
        <Button
          small
          onClick={() => void copy(recoveryKey).then((ok) => setCopied(ok ? 'copied' : 'failed'))}
        >
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </Button>
        <Button small onClick={() => download(recoveryKey)}>
          Download as text
        </Button>
        {copied === 'failed' ? (
          <span className="muted" role="status">
            This browser does not allow copying: select the key and copy it, or download it.
          </span>
        ) : null}
      </div>
    </div>
  )
}

/** Types back the last group and ticks that it is stored. */
export function RecoveryConfirm({
  recoveryKey,
  value,
  onChange,
  error,
}: {
  recoveryKey: string
  value: ConfirmInput
  onChange: (value: ConfirmInput) => void
  error: string | null
}) {
  const groups = recoveryGroups(recoveryKey)
  return (
    <div className="onb-confirm" data-testid="recovery-confirm">
      <Field
        label={`Last group of your recovery key (group ${groups.length})`}
        error={error && !/Tick/.test(error) ? error : undefined}
        hint="The five characters after the last dash. Not case-sensitive."
      >
        {(props) => (
          <input
            {...props}
            className="input input-mono onb-confirm-input"
            name="recovery-last-group"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            value={value.lastGroup}
            onChange={(e) => onChange({ ...value, lastGroup: e.target.value })}
          />
        )}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          name="recovery-stored"
          checked={value.stored}
          onChange={(e) => onChange({ ...value, stored: e.target.checked })}
        />
        <span>
          I stored my recovery key somewhere safe (a password manager, or on paper). Cairn will not
          show it again.
        </span>
      </label>
      {error && /Tick/.test(error) ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  )
}
