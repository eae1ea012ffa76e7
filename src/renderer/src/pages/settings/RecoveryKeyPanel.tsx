import { useState } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { useKeys } from '../../state/keys'

/**
 * A recovery key on screen, with the same care as the first one: what it is for, shown once, and
 * gone when the user confirms it is saved. Copying is offered; the clipboard may refuse.
 */
export function RecoveryKeyPanel() {
  const recoveryKey = useKeys((s) => s.recoveryKey)
  const rotation = useKeys((s) => s.rotation)
  const [confirmed, setConfirmed] = useState(false)
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null)
  if (!recoveryKey) return null
  const rotated = recoveryKey.reason === 'rotated'
  return (
    <Callout
      tone={rotated ? 'warning' : 'success'}
      title={rotated ? 'Master key replaced: save the new recovery key now' : 'Your recovery key'}
      testId="new-recovery-key"
      actions={
        <>
          <Button
            small
            onClick={() => {
              navigator.clipboard
                .writeText(recoveryKey.value)
                .then(() => setCopied('yes'))
                .catch(() => setCopied('no'))
            }}
          >
            Copy
          </Button>
          <Button
            small
            variant="primary"
            disabled={!confirmed}
            onClick={() => useKeys.getState().recoverySaved()}
          >
            Done
          </Button>
          {copied ? (
            <span className="form-status" role="status">
              {copied === 'yes' ? 'Copied.' : 'The browser refused: select the key and copy it.'}
            </span>
          ) : null}
        </>
      }
    >
      {rotated ? (
        <p>
          Every workspace key now opens only with the new master key
          {rotation
            ? ` (${rotation.rewrapped} keys re-wrapped${rotation.resumed ? ', finishing an earlier rotation' : ''})`
            : ''}
          .<strong> Your old recovery key no longer works.</strong> Store this one in a password
          manager or on paper; another computer needs it to open your restore points. Cairn does not
          show it again.
        </p>
      ) : (
        <p>
          With it and your storage credentials, any computer can open every restore point. Keep it
          somewhere safe and close this panel.
        </p>
      )}
      <p className="recovery-key mono" data-testid="new-recovery-key-value">
        {recoveryKey.value}
      </p>
      <p className="footnote">Key ID {recoveryKey.keyId}</p>
      <label className="checkbox">
        <input
          type="checkbox"
          name="recovery-saved"
          checked={confirmed}
          onChange={(e) => setConfirmed(e.target.checked)}
        />
        I have saved this recovery key somewhere safe
      </label>
    </Callout>
  )
}
