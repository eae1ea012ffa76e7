import { useState } from 'react'
import type { SettingsView } from '../../../../shared/domain/settings'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { ErrorPanel } from '../../components/ErrorPanel'
import { CloudIcon, KeyIcon } from '../../components/icons'
import { Skeleton } from '../../components/Skeleton'
import { hetznerErrorHeading } from '../../lib/errors'
import { useHetzner } from '../../state/hetzner'
import { ApiBaseField } from './ApiBaseField'
import { Catalog } from './Catalog'
import { SectionHeading } from './SectionHeading'
import { TokenForm } from './TokenForm'
import { Message } from '../../components/Message'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

function StoredToken({ onReplace }: { onReplace: () => void }) {
  const [confirming, setConfirming] = useState(false)
  const removal = useHetzner((s) => s.removal)
  const removeToken = useHetzner((s) => s.removeToken)
  const busy = removal.status === 'busy'
  return (
    <div className="stored" data-testid="hetzner-token-stored">
      <div className="stored-row">
        <span className="stored-icon" aria-hidden="true">
          <KeyIcon size={18} />
        </span>
        <div className="stored-text">
          <p className="stored-title">Token stored</p>
          <p className="stored-detail">Kept in your keychain; Cairn never shows it again.</p>
        </div>
        {confirming ? null : (
          <div className="stored-actions">
            <Button small onClick={onReplace}>
              Replace
            </Button>
            <Button small variant="danger" onClick={() => setConfirming(true)}>
              Remove
            </Button>
          </div>
        )}
      </div>
      {confirming ? (
        <div className="confirm" role="group" aria-label="Confirm removal">
          <p>
            Remove the token from your keychain? Cairn cannot create or stop servers until you add
            one again. The token itself stays valid in Hetzner until you delete it there.
          </p>
          <div className="form-actions">
            <Button small variant="danger" busy={busy} onClick={() => void removeToken()}>
              Remove token
            </Button>
            <Button small variant="ghost" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {removal.status === 'error' ? (
        <ErrorPanel error={removal.error} title="The token could not be removed" />
      ) : null}
    </div>
  )
}

function CatalogArea({ apiBase, onReplace }: { apiBase: string; onReplace: () => void }) {
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  if (catalog.status === 'error' && catalog.error) {
    const error = catalog.error
    return (
      <Callout
        tone="error"
        title={hetznerErrorHeading(error, apiBase)}
        testId="hetzner-catalog-error"
        actions={
          <>
            <Button small onClick={() => void loadCatalog()}>
              Retry
            </Button>
            {error.code === 'unauthorized' ? (
              <Button small variant="ghost" onClick={onReplace}>
                Replace token
              </Button>
            ) : null}
          </>
        }
      >
        <p data-error-code={error.code}>
          <Message text={error.message} />
        </p>
      </Callout>
    )
  }
  if (catalog.status === 'ready' && catalog.data) return <Catalog catalog={catalog.data} />
  return <Skeleton label="Loading locations and prices from Hetzner" lines={5} />
}

export function HetznerSection({ settings }: { settings: SettingsView }) {
  const [replacing, setReplacing] = useState(false)
  const check = useHetzner((s) => s.check)
  const catalogStatus = useHetzner((s) => s.catalog.status)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  const resetCheck = useHetzner((s) => s.resetCheck)
  const hasToken = settings.hasHetznerToken

  // A token stored in an earlier session: show what it gives access to.
  useLoadWhenIdle(catalogStatus, loadCatalog, hasToken)

  const showForm = !hasToken || replacing
  return (
    <section
      className="card section"
      aria-labelledby="hetzner-heading"
      data-testid="hetzner-section"
    >
      <SectionHeading
        id="hetzner-heading"
        icon={<CloudIcon size={20} />}
        title="Hetzner Cloud"
        description="Cairn creates workspace servers in your Hetzner Cloud project and deletes them when they stop, so you pay only while you work."
      />
      {check.status === 'saved' && hasToken && !replacing ? (
        <Callout tone="success" title="Token saved in your keychain" testId="hetzner-saved">
          <p>Hetzner accepted it. Below are the locations and server types it gives you.</p>
        </Callout>
      ) : null}
      {showForm ? (
        <TokenForm
          apiBase={settings.hetznerApiBase}
          onSaved={() => setReplacing(false)}
          onCancel={
            replacing
              ? () => {
                  setReplacing(false)
                  resetCheck()
                }
              : undefined
          }
        />
      ) : (
        <StoredToken
          onReplace={() => {
            resetCheck()
            setReplacing(true)
          }}
        />
      )}
      <ApiBaseField current={settings.hetznerApiBase} />
      {hasToken || catalogStatus === 'ready' ? (
        <div className="section-part">
          <CatalogArea apiBase={settings.hetznerApiBase} onReplace={() => setReplacing(true)} />
        </div>
      ) : null}
    </section>
  )
}
