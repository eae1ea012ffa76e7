import { useState } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Field } from '../../components/Field'
import { Message } from '../../components/Message'
import { Skeleton } from '../../components/Skeleton'
import { useOnboarding } from '../../state/onboarding'
import { useRepository } from '../../state/repository'
import { confirmProblem, type ConfirmInput } from '../../lib/onboarding'
import { RecoveryConfirm, RecoveryKeyShown } from './RecoveryKey'
import { StepFooter } from './StepFooter'

function Heading({ title, lead }: { title: string; lead: React.ReactNode }) {
  return (
    <>
      <h1 className="onb-title" id="onb-keys-title">
        {title}
      </h1>
      <p className="onb-lead">{lead}</p>
    </>
  )
}

/** A new master key's recovery key: shown, then typed back. */
function NewKey({ recoveryKey }: { recoveryKey: string }) {
  const stage = useOnboarding((s) => s.recoveryStage)
  const setStage = useOnboarding((s) => s.setRecoveryStage)
  const goTo = useOnboarding((s) => s.goTo)
  const recoverySaved = useRepository((s) => s.recoverySaved)
  const [input, setInput] = useState<ConfirmInput>({ lastGroup: '', stored: false })
  const [problem, setProblem] = useState<string | null>(null)
  if (stage === 'show') {
    return (
      <>
        <Heading
          title="Your recovery key"
          lead={
            <>
              Your repository is ready and encrypted with a new key. This is that key in a form you
              can write down. With it and your storage, any computer can open your restore points;
              without it, nobody can, not even you on a new computer.{' '}
              <strong>Cairn shows it only now.</strong>
            </>
          }
        />
        <RecoveryKeyShown recoveryKey={recoveryKey} />
        <StepFooter
          step="keys"
          nextLabel="I have stored it"
          onNext={() => {
            setProblem(null)
            setStage('confirm')
          }}
        />
      </>
    )
  }
  return (
    <>
      <Heading
        title="Check your recovery key"
        lead="To be sure it was stored correctly, type back the last group of your recovery key, from where you keep it."
      />
      <RecoveryConfirm
        recoveryKey={recoveryKey}
        value={input}
        error={problem}
        onChange={(value) => {
          setInput(value)
          if (problem) setProblem(null)
        }}
      />
      <StepFooter
        step="keys"
        nextLabel="Confirm"
        onBack={() => {
          setProblem(null)
          setStage('show')
        }}
        onNext={() => {
          const found = confirmProblem(recoveryKey, input)
          setProblem(found)
          if (found) return
          recoverySaved()
          setStage('show')
          goTo('compute')
        }}
      />
    </>
  )
}

/** A repository made on another computer: its recovery key makes this one able to open it. */
function ImportKey() {
  const [text, setText] = useState('')
  const run = useOnboarding((s) => s.importRun)
  const importRecovery = useOnboarding((s) => s.importRecovery)
  const resetImport = useOnboarding((s) => s.resetImport)
  const busy = run.status === 'busy'
  const error = run.status === 'error' ? run.error : null
  return (
    <>
      <Heading
        title="Unlock your repository"
        lead="This storage already holds a Cairn repository, made on another computer. Enter its recovery key to open it here; the key is checked against the repository before it is kept in your keychain."
      />
      <form
        className="onb-import"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void importRecovery(text)
        }}
      >
        <Field
          label="Recovery key"
          error={error && run.status === 'error' && run.field ? error.message : undefined}
          hint="13 groups of 5 letters and digits, like XXXXX-XXXXX-…. Dashes and case do not matter."
        >
          {(props) => (
            <textarea
              {...props}
              className="input input-mono onb-import-input"
              name="recovery-key"
              rows={2}
              autoComplete="off"
              spellCheck={false}
              autoFocus
              disabled={busy}
              value={text}
              onChange={(e) => {
                setText(e.target.value)
                if (run.status === 'error') resetImport()
              }}
            />
          )}
        </Field>
      </form>
      {error && run.status === 'error' && !run.field ? (
        <Callout
          tone="error"
          title={
            error.code === 'unauthorized'
              ? 'This key does not open the repository'
              : 'The key was not imported'
          }
          testId="import-error"
        >
          <p data-error-code={error.code}>
            <Message text={error.message} />
          </p>
          <p className="callout-note">Nothing was stored.</p>
        </Callout>
      ) : null}
      <StepFooter
        step="keys"
        nextLabel={busy ? 'Checking…' : 'Unlock'}
        busy={busy}
        onNext={() => void importRecovery(text)}
      />
    </>
  )
}

/** The repository in the saved storage: created here, or unlocked with a recovery key. */
export function KeysStep() {
  const repository = useRepository((s) => s.repository)
  const status = useRepository((s) => s.status)
  const loadError = useRepository((s) => s.error)
  const recoveryKey = useRepository((s) => s.recoveryKey)
  const creating = useRepository((s) => s.creating)
  const createError = useRepository((s) => s.createError)
  const { create, load } = useRepository.getState()
  const importRun = useOnboarding((s) => s.importRun)
  const goTo = useOnboarding((s) => s.goTo)
  const [problem, setProblem] = useState<string | null>(null)

  let body: React.ReactNode
  if (recoveryKey)
    return (
      <section className="onb-step-body">
        <NewKey recoveryKey={recoveryKey} />
      </section>
    )
  if (repository?.state === 'no_master_key') {
    return (
      <section className="onb-step-body" aria-labelledby="onb-keys-title">
        <ImportKey />
      </section>
    )
  }
  if (!repository) {
    body =
      status === 'error' && loadError ? (
        <Callout
          tone="error"
          title="Could not look into the storage"
          actions={
            <Button small onClick={() => void load()}>
              Try again
            </Button>
          }
        >
          <p>
            <Message text={loadError.message} />
          </p>
        </Callout>
      ) : (
        <Skeleton label="Looking into your storage" lines={2} />
      )
  } else if (repository.state === 'ready') {
    body = (
      <Callout
        tone="success"
        title={
          importRun.status === 'done' ? 'Key imported: the repository is open' : 'Repository ready'
        }
        testId="repository-ready"
      >
        <p>
          This computer’s key opens the repository
          {repository.location ? (
            <>
              {' '}
              in <span className="mono">{repository.location}</span>
            </>
          ) : null}
          {repository.workspaces.length > 0
            ? `, which holds ${repository.workspaces.length} workspace${repository.workspaces.length === 1 ? '' : 's'}.`
            : '.'}
        </p>
      </Callout>
    )
  } else if (repository.state === 'no_repository' || repository.state === 'not_configured') {
    body = (
      <div className="onb-create-repo" data-testid="repository-step">
        <p>
          Your storage is empty. Cairn creates an encrypted repository in it
          {repository.location ? (
            <>
              {' '}
              (<span className="mono">{repository.location}</span>)
            </>
          ) : null}{' '}
          and a master key that only this computer holds. You will see that key once, as a recovery
          key to write down.
        </p>
        {createError ? (
          <Callout tone="error" title="The repository was not created" testId="repository-error">
            <p data-error-code={createError.code}>
              <Message text={createError.message} />
            </p>
          </Callout>
        ) : null}
      </div>
    )
  } else {
    body = (
      <Callout
        tone="warning"
        title="This storage cannot be used for restore points"
        testId="repository-problem"
        actions={
          <>
            <Button small onClick={() => void load()}>
              Check again
            </Button>
            <Button small variant="ghost" onClick={() => goTo('storage')}>
              Choose other storage
            </Button>
          </>
        }
      >
        <p>
          <Message
            text={
              repository.message ??
              (repository.state === 'wrong_key'
                ? 'The repository in this storage does not open with this computer’s key.'
                : 'The storage holds something that is not a Cairn repository.')
            }
          />
        </p>
      </Callout>
    )
  }

  const needsCreate = repository?.state === 'no_repository'
  return (
    <section className="onb-step-body" aria-labelledby="onb-keys-title">
      <Heading
        title={needsCreate ? 'Create your encrypted repository' : 'Your repository'}
        lead="Restore points go into a repository in your storage, encrypted with a key that never leaves your computers."
      />
      {body}
      <StepFooter
        step="keys"
        nextLabel={needsCreate ? (creating ? 'Creating…' : 'Create repository') : 'Continue'}
        busy={creating}
        problem={problem}
        onNext={() => {
          if (needsCreate) {
            setProblem(null)
            void create()
            return
          }
          if (repository?.state !== 'ready') {
            setProblem('The repository must open before you go on: fix the problem above.')
            return
          }
          setProblem(null)
          goTo('compute')
        }}
      />
    </section>
  )
}
