import { useEffect, useState, type FormEvent } from 'react'
import type { OrphanServer } from '../../../../shared/domain/workspace'
import { workspaceNameSchema } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { formatDateTime } from '../../lib/format'
import { formatEur } from '../../lib/workspace-format'
import { orphanKey, useWorkspaces } from '../../state/workspaces'
import { getApi } from '../../state/api'
import { ConfirmDelete } from './ConfirmDelete'

function suggestedName(orphan: OrphanServer): string {
  const bare = orphan.name.replace(/^cairn-/, '')
  return workspaceNameSchema.safeParse(bare).success ? bare : ''
}

function AdoptForm({ orphan, onDone }: { orphan: OrphanServer; onDone(): void }) {
  const [name, setName] = useState(suggestedName(orphan))
  const [problem, setProblem] = useState<string | null>(null)
  // The server's host key was made by another Cairn: the user sees it before trusting it.
  const [probe, setProbe] = useState<
    | { state: 'loading' }
    | { state: 'ok'; hostKey: string; fingerprint: string }
    | { state: 'error'; message: string }
  >({ state: 'loading' })
  const note = useWorkspaces((s) => s.notes[orphanKey(orphan.serverId)])
  const adopt = useWorkspaces((s) => s.adoptOrphan)
  const busy = note?.kind === 'busy'
  useEffect(() => {
    let live = true
    const probeKey = getApi()['workspaces.probeOrphanHostKey']
    probeKey({ serverId: orphan.serverId }).then(
      (p) => live && setProbe({ state: 'ok', hostKey: p.hostKey, fingerprint: p.fingerprint }),
      (e: unknown) =>
        live &&
        setProbe({
          state: 'error',
          message: e instanceof Error ? e.message : 'Cairn could not read its host key.',
        }),
    )
    return () => {
      live = false
    }
  }, [orphan.serverId])
  return (
    <form
      className="ws-adopt"
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        const parsed = workspaceNameSchema.safeParse(name)
        if (!parsed.success) {
          setProblem(parsed.error.issues[0]?.message ?? 'not a valid name')
          return
        }
        if (probe.state !== 'ok') return
        setProblem(null)
        void adopt(orphan.serverId, parsed.data, probe.hostKey).then((ok) => ok && onDone())
      }}
    >
      <label className="field-label" htmlFor={`adopt-${orphan.serverId}`}>
        Workspace name
      </label>
      <input
        id={`adopt-${orphan.serverId}`}
        className="input input-mono"
        value={name}
        disabled={busy}
        aria-invalid={Boolean(problem)}
        onChange={(e) => setName(e.target.value)}
      />
      <p className="ws-adopt-key" data-testid="orphan-host-key">
        {probe.state === 'loading'
          ? 'Reading the host key the server presents…'
          : probe.state === 'error'
            ? probe.message
            : `Host key ${probe.fingerprint}. Adopt only if it matches the server's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub in the Hetzner console).`}
      </p>
      <Button type="submit" small variant="primary" busy={busy} disabled={probe.state !== 'ok'}>
        Trust this key and adopt
      </Button>
      <Button small variant="ghost" disabled={busy} onClick={onDone}>
        Cancel
      </Button>
      {problem ? <p className="field-error">{problem}</p> : null}
    </form>
  )
}

function OrphanRow({ orphan }: { orphan: OrphanServer }) {
  const key = orphanKey(orphan.serverId)
  const note = useWorkspaces((s) => s.notes[key])
  const deleteOrphan = useWorkspaces((s) => s.deleteOrphan)
  const dismiss = useWorkspaces((s) => s.dismiss)
  const [mode, setMode] = useState<'idle' | 'adopt' | 'delete'>('idle')
  const error = note?.kind === 'error' ? note : null
  return (
    <li className="ws-orphan" data-testid="orphan" data-name={orphan.name}>
      <div className="ws-orphan-main">
        <span className="mono ws-orphan-name">{orphan.name}</span>
        <span className="badge badge-tone-warning">Not in this Cairn</span>
        <span className="muted">
          {orphan.location} · {orphan.serverType} · {orphan.status} · since{' '}
          {formatDateTime(orphan.createdAt)}
        </span>
        <span className="ws-orphan-cost">
          {formatEur(orphan.runningEur)} so far · {formatEur(orphan.monthlyEur)}/mo
        </span>
        <Button
          small
          className="ws-delete"
          onClick={() => setMode('adopt')}
          disabled={mode !== 'idle'}
        >
          Adopt…
        </Button>
        <Button small variant="danger" onClick={() => setMode('delete')} disabled={mode !== 'idle'}>
          Delete…
        </Button>
      </div>
      {mode === 'adopt' ? <AdoptForm orphan={orphan} onDone={() => setMode('idle')} /> : null}
      {error && error.action === 'adopt' ? (
        <p className="field-error">
          <Message text={error.error.message} />
        </p>
      ) : null}
      {mode === 'delete' ? (
        <ConfirmDelete
          title={`Delete server ${orphan.name}?`}
          name={orphan.name}
          confirmLabel="Delete server"
          busy={note?.kind === 'busy'}
          error={error && error.action === 'delete' ? error.error : null}
          onClose={() => {
            setMode('idle')
            dismiss(key)
          }}
          onConfirm={(typed) =>
            void deleteOrphan(orphan.serverId, typed).then((job) => job && setMode('idle'))
          }
        >
          <p>
            Hetzner deletes this server and everything on its disk. Cairn has no restore point of it
            unless it was a workspace whose backups are in your storage.
          </p>
        </ConfirmDelete>
      ) : null}
    </li>
  )
}

/** Servers labelled managed-by=cairn that this Cairn does not know: they cost money. */
export function Orphans({ orphans }: { orphans: OrphanServer[] }) {
  if (orphans.length === 0) return null
  return (
    <section className="ws-orphans" aria-labelledby="orphans-heading" data-testid="orphans">
      <h2 className="ws-section-title" id="orphans-heading">
        Servers Cairn does not know
      </h2>
      <Callout
        tone="warning"
        title={`${orphans.length} server${orphans.length === 1 ? '' : 's'} made by Cairn, not in this list`}
      >
        <p>
          Hetzner bills them while they exist. Adopt one to manage it as a workspace here, or delete
          it.
        </p>
      </Callout>
      <ul className="card ws-orphan-list">
        {orphans.map((o) => (
          <OrphanRow key={o.serverId} orphan={o} />
        ))}
      </ul>
    </section>
  )
}
