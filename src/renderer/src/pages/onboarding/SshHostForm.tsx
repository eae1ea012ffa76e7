import { useEffect, useState } from 'react'
import { workspaceNameSchema } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Field } from '../../components/Field'
import { Message } from '../../components/Message'
import { Skeleton } from '../../components/Skeleton'
import { useOnboarding } from '../../state/onboarding'
import { StepFooter } from './StepFooter'

type SshField = 'host' | 'port' | 'user' | 'name' | 'paths' | 'key' | 'confirm'
type SshErrors = Partial<Record<SshField, string>>

interface SshDraft {
  host: string
  port: string
  user: string
  name: string
  /** One absolute path per line; empty means the user's home. */
  paths: string
}

const HOST = /^[A-Za-z0-9.:_-]+$/
const USER = /^[A-Za-z_][A-Za-z0-9_.-]*$/

function pathsOf(draft: SshDraft): string[] {
  const lines = draft.paths
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.length > 0 ? lines : [homeOf(draft.user)]
}

function homeOf(user: string): string {
  const name = user.trim()
  return name === 'root' ? '/root' : `/home/${name || '<user>'}`
}

/** The host part only: what the host key check needs. */
function hostErrors(draft: SshDraft): SshErrors {
  const errors: SshErrors = {}
  const host = draft.host.trim()
  if (!host) errors.host = 'Enter the server’s address, like 203.0.113.7 or box.example.com.'
  else if (!HOST.test(host) || host.length > 253)
    errors.host = 'Use a host name or IP address only, without user@ or a port.'
  const port = Number(draft.port.trim())
  if (!/^\d+$/.test(draft.port.trim()) || port < 1 || port > 65535)
    errors.port = 'A port from 1 to 65535 (SSH uses 22).'
  return errors
}

function allErrors(draft: SshDraft): SshErrors {
  const errors = hostErrors(draft)
  const user = draft.user.trim()
  if (!user) errors.user = 'Enter the user Cairn logs in as.'
  else if (!USER.test(user) || user.length > 64) errors.user = 'Not a valid user name.'
  const name = workspaceNameSchema.safeParse(draft.name.trim())
  if (!name.success) errors.name = 'Lowercase letters, digits and dashes, starting with a letter.'
  const paths = pathsOf(draft)
  if (paths.some((p) => !p.startsWith('/'))) errors.paths = 'Use absolute paths, like /home/dev.'
  else if (paths.length > 20) errors.paths = 'Keep at most 20 folders.'
  return errors
}

function LoginKey({ error }: { error?: string | undefined }) {
  const keys = useOnboarding((s) => s.ssh.keys)
  const keysError = useOnboarding((s) => s.ssh.keysError)
  const busy = useOnboarding((s) => s.ssh.busy)
  const { loadSshKeys, generateSshKey } = useOnboarding.getState()
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (!keys) void loadSshKeys()
  }, [keys, loadSshKeys])
  if (keysError)
    return (
      <Callout
        tone="error"
        title="Could not list Cairn’s SSH keys"
        actions={
          <Button small onClick={() => void loadSshKeys()}>
            Retry
          </Button>
        }
      >
        <p>
          <Message text={keysError.message} />
        </p>
      </Callout>
    )
  if (!keys) return <Skeleton label="Loading SSH keys" lines={1} />
  const key = keys[0]
  if (!key) {
    return (
      <div className="onb-ssh-key">
        <p className="onb-ssh-text">
          Cairn logs in with a key of its own, kept in your keychain. Make one, then add its public
          half to the server.
        </p>
        <div>
          <Button busy={busy === 'key'} onClick={() => void generateSshKey()}>
            Make a login key
          </Button>
        </div>
        {error ? <p className="field-error">{error}</p> : null}
      </div>
    )
  }
  return (
    <div className="onb-ssh-key" data-testid="onboarding-ssh-key">
      <p className="onb-ssh-text">
        Add this line to <span className="mono">~/.ssh/authorized_keys</span> of that user on the
        server:
      </p>
      <div className="onb-command onb-pubkey">
        <code className="mono" data-testid="onboarding-public-key">
          {key.publicKey}
        </code>
        <Button
          small
          onClick={() =>
            void navigator.clipboard.writeText(key.publicKey).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
    </div>
  )
}

/** An existing server over SSH becomes the first workspace (stop and start never touch it). */
export function SshHostForm() {
  const [draft, setDraft] = useState<SshDraft>({
    host: '',
    port: '22',
    user: '',
    name: 'my-server',
    paths: '',
  })
  const [errors, setErrors] = useState<SshErrors>({})
  const [confirmed, setConfirmed] = useState(false)
  const ssh = useOnboarding((s) => s.ssh)
  const { probeHost, forgetProbe, adoptHost } = useOnboarding.getState()
  const probe =
    ssh.probe &&
    ssh.probe.host === draft.host.trim() &&
    String(ssh.probe.port) === draft.port.trim()
      ? ssh.probe
      : null

  function change(patch: Partial<SshDraft>) {
    const next = { ...draft, ...patch }
    setDraft(next)
    if ('host' in patch || 'port' in patch) {
      setConfirmed(false)
      if (ssh.probe || ssh.error) forgetProbe()
    }
    // Errors already shown clear as they are fixed.
    const fresh = allErrors(next)
    setErrors((old) => {
      const kept: SshErrors = {}
      for (const key of Object.keys(old) as SshField[]) {
        const still = key === 'key' || key === 'confirm' ? old[key] : fresh[key]
        if (still) kept[key] = still
      }
      return kept
    })
  }

  async function check() {
    const found = hostErrors(draft)
    setErrors(found)
    if (Object.keys(found).length > 0) return
    setConfirmed(false)
    await probeHost(draft.host.trim(), Number(draft.port))
  }

  async function add() {
    const found = allErrors(draft)
    const keyId = ssh.keys?.[0]?.id
    if (!keyId) found.key = 'Make a login key first, and add it to the server.'
    if (!probe && !found.host && !found.port)
      found.confirm = 'Press Check host key and compare the fingerprint first.'
    else if (probe && !confirmed) found.confirm = 'Tick the box once the fingerprint matches.'
    setErrors(found)
    if (Object.keys(found).length > 0 || !probe || !keyId) return
    await adoptHost({
      name: draft.name.trim(),
      host: draft.host.trim(),
      port: Number(draft.port),
      user: draft.user.trim(),
      keyId,
      hostKey: probe.hostKey,
      paths: pathsOf(draft),
    })
  }

  const text = (
    field: keyof SshDraft,
    label: string,
    props: { placeholder?: string; hint?: React.ReactNode; className?: string } = {},
  ) => (
    <Field label={label} error={errors[field]} hint={props.hint} className={props.className}>
      {(p) => (
        <input
          {...p}
          className="input input-mono"
          name={`ssh-${field}`}
          value={draft[field]}
          placeholder={props.placeholder}
          autoComplete="off"
          spellCheck={false}
          disabled={ssh.busy === 'adopt'}
          onChange={(e) => change({ [field]: e.target.value })}
        />
      )}
    </Field>
  )

  return (
    <>
      <LoginKey error={errors.key} />
      <div className="onb-ssh-grid">
        {text('host', 'Host', { placeholder: '203.0.113.7', className: 'onb-ssh-host' })}
        {text('port', 'Port')}
        {text('user', 'User', { placeholder: 'dev' })}
      </div>
      <div className="onb-ssh-probe">
        <Button busy={ssh.busy === 'probe'} onClick={() => void check()}>
          Check host key
        </Button>
        {probe ? (
          <label className="checkbox onb-fingerprint" data-testid="onboarding-fingerprint">
            <input
              type="checkbox"
              name="ssh-fingerprint-ok"
              checked={confirmed}
              onChange={(e) => {
                setConfirmed(e.target.checked)
                setErrors((old) => ({ ...old, confirm: undefined }))
              }}
            />
            <span>
              The server shows <span className="mono">{probe.fingerprint}</span> ({probe.keyType}).
              This matches <span className="mono">ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</span>{' '}
              on the server.
            </span>
          </label>
        ) : (
          <span className="muted onb-ssh-text">
            Cairn pins the server’s key, so nobody can pretend to be it later.
          </span>
        )}
      </div>
      {errors.confirm ? (
        <p className="field-error" role="alert">
          {errors.confirm}
        </p>
      ) : null}
      <div className="onb-ssh-grid onb-ssh-grid-2">
        {text('name', 'Workspace name', {
          hint: (
            <>
              You will reach it as{' '}
              <span className="mono">ssh cairn-{draft.name.trim() || '<name>'}</span>.
            </>
          ),
        })}
        {text('paths', 'Folder to keep', {
          placeholder: homeOf(draft.user),
          hint: 'Backed up as restore points. Empty: the user’s home.',
        })}
      </div>
      {ssh.error ? (
        <Callout
          tone="error"
          title={
            ssh.error.code === 'unauthorized'
              ? 'The server did not accept Cairn’s key'
              : ssh.error.code === 'host_key_mismatch'
                ? 'The server presented a different host key'
                : 'Cairn could not use this server'
          }
          testId="onboarding-ssh-error"
        >
          <p data-error-code={ssh.error.code}>
            <Message text={ssh.error.message} />
          </p>
        </Callout>
      ) : null}
      <StepFooter
        step="compute"
        nextLabel={ssh.busy === 'adopt' ? 'Connecting…' : 'Add this server'}
        busy={ssh.busy === 'adopt'}
        onNext={() => void add()}
      />
    </>
  )
}
