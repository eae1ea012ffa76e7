import type { FormEvent, ReactNode } from 'react'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { DatabaseIcon, FolderIcon } from '../../components/icons'
import type { StorageDraft } from '../../lib/storage-form'
import { useStorage } from '../../state/storage'

function KindOption({
  kind,
  title,
  detail,
  icon,
}: {
  kind: StorageDraft['kind']
  title: string
  detail: string
  icon: ReactNode
}) {
  const current = useStorage((s) => s.draft.kind)
  const update = useStorage((s) => s.update)
  const running = useStorage((s) => s.run.status === 'running')
  return (
    <label className="choice" data-kind={kind}>
      <input
        type="radio"
        name="storage-kind"
        value={kind}
        checked={current === kind}
        disabled={running}
        onChange={() => update({ kind })}
      />
      <span className="choice-icon" aria-hidden="true">
        {icon}
      </span>
      <span className="choice-text">
        <span className="choice-title">{title}</span>
        <span className="choice-detail">{detail}</span>
      </span>
    </label>
  )
}

type TextField =
  'endpoint' | 'region' | 'bucket' | 'prefix' | 'accessKeyId' | 'secretAccessKey' | 'path'

function TextInput({
  field,
  label,
  hint,
  optional,
  type = 'text',
  placeholder,
  mono,
  className,
}: {
  field: TextField
  label: string
  hint?: ReactNode
  optional?: boolean
  type?: 'text' | 'password' | 'url'
  placeholder?: string
  mono?: boolean
  className?: string
}) {
  const value = useStorage((s) => s.draft[field])
  const error = useStorage((s) => s.fieldErrors[field])
  const update = useStorage((s) => s.update)
  const running = useStorage((s) => s.run.status === 'running')
  return (
    <Field label={label} hint={hint} error={error} optional={optional} className={className}>
      {(props) => (
        <input
          {...props}
          className={`input${mono ? ' input-mono' : ''}`}
          type={type}
          name={field}
          value={value}
          placeholder={placeholder}
          disabled={running}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => update({ [field]: e.target.value })}
        />
      )}
    </Field>
  )
}

function S3Fields({ secretStored }: { secretStored: boolean }) {
  const pathStyle = useStorage((s) => s.draft.forcePathStyle)
  const update = useStorage((s) => s.update)
  const running = useStorage((s) => s.run.status === 'running')
  return (
    <div className="form-grid" data-testid="s3-fields">
      <TextInput
        field="endpoint"
        label="Endpoint"
        type="url"
        mono
        className="span-2"
        placeholder="https://<account-id>.r2.cloudflarestorage.com"
        hint={
          <>
            For Cloudflare R2:{' '}
            <span className="mono">https://&lt;account-id&gt;.r2.cloudflarestorage.com</span> (R2 →
            Overview → S3 API).
          </>
        }
      />
      <TextInput field="bucket" label="Bucket" mono hint="The bucket must exist already." />
      <TextInput
        field="region"
        label="Region"
        mono
        hint='"auto" for R2; the bucket’s region elsewhere.'
      />
      <TextInput
        field="prefix"
        label="Prefix"
        optional
        mono
        className="span-2"
        placeholder="cairn/"
        hint="A folder inside the bucket, to share the bucket with other data."
      />
      <TextInput field="accessKeyId" label="Access key ID" mono />
      <TextInput
        field="secretAccessKey"
        label="Secret access key"
        type="password"
        mono
        placeholder={secretStored ? 'stored in keychain — leave empty to keep' : undefined}
        hint={secretStored ? undefined : 'Kept in your keychain, never in a settings file.'}
      />
      <label className="checkbox span-2">
        <input
          type="checkbox"
          name="forcePathStyle"
          checked={pathStyle}
          disabled={running}
          onChange={(e) => update({ forcePathStyle: e.target.checked })}
        />
        <span>
          Path-style addresses
          <span className="checkbox-hint">
            {' '}
            — <span className="mono">endpoint/bucket/key</span> instead of{' '}
            <span className="mono">bucket.endpoint/key</span>. Works with R2, MinIO and most
            S3-compatible servers.
          </span>
        </span>
      </label>
    </div>
  )
}

export function StorageForm({
  secretStored,
  onCancel,
}: {
  secretStored: boolean
  onCancel?: (() => void) | undefined
}) {
  const kind = useStorage((s) => s.draft.kind)
  const run = useStorage((s) => s.run)
  const test = useStorage((s) => s.test)
  const save = useStorage((s) => s.save)
  const running = run.status === 'running'
  return (
    <form
      className="storage-form"
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        void save()
      }}
    >
      <fieldset className="choices">
        <legend className="visually-hidden">Storage type</legend>
        <KindOption
          kind="s3"
          title="S3 / Cloudflare R2"
          detail="Any S3-compatible bucket"
          icon={<DatabaseIcon size={20} />}
        />
        <KindOption
          kind="folder"
          title="Local folder"
          detail="A disk or share on the host"
          icon={<FolderIcon size={20} />}
        />
      </fieldset>
      {kind === 's3' ? (
        <S3Fields secretStored={secretStored} />
      ) : (
        <div className="form-grid" data-testid="folder-fields">
          <TextInput
            field="path"
            label="Folder"
            mono
            className="span-2"
            placeholder="/home/you/cairn-backups"
            hint="A full path on the machine Cairn runs on. The folder must exist and be writable."
          />
        </div>
      )}
      <div className="form-actions">
        <Button
          variant="secondary"
          busy={running && run.action === 'test'}
          disabled={running}
          onClick={() => void test()}
        >
          {running && run.action === 'test' ? 'Testing…' : 'Test connection'}
        </Button>
        <Button
          type="submit"
          variant="primary"
          busy={running && run.action === 'save'}
          disabled={running}
        >
          {running && run.action === 'save' ? 'Testing and saving…' : 'Save'}
        </Button>
        {onCancel ? (
          <Button variant="ghost" disabled={running} onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        {running ? (
          <span className="form-status" role="status">
            Writing, reading and deleting a small test object…
          </span>
        ) : null}
      </div>
    </form>
  )
}
