import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { useRepository } from '../../state/repository'

/**
 * The last step before the first workspace once the token and storage are set: the encrypted
 * repository in that storage, and the recovery key of the master key it makes (shown once).
 */
export function RepositoryStep() {
  const repository = useRepository((s) => s.repository)
  const creating = useRepository((s) => s.creating)
  const createError = useRepository((s) => s.createError)
  const recoveryKey = useRepository((s) => s.recoveryKey)
  const { create, recoverySaved, load } = useRepository.getState()

  if (recoveryKey) {
    return (
      <Callout
        tone="success"
        title="Repository created: keep your recovery key"
        testId="recovery-key"
        actions={
          <Button small variant="primary" onClick={recoverySaved}>
            I have saved it
          </Button>
        }
      >
        <p>
          Store it in a password manager or on paper. With it and your storage credentials, any
          computer can open every restore point; without it, nobody can, not even you on a new
          computer. Cairn does not show it again.
        </p>
        <p className="recovery-key mono" data-testid="recovery-key-value">
          {recoveryKey}
        </p>
      </Callout>
    )
  }
  if (!repository) return null
  switch (repository.state) {
    case 'ready':
    case 'not_configured':
      return null
    case 'no_repository':
      return (
        <Callout
          tone="info"
          title="One more step: create the repository"
          testId="repository-step"
          actions={
            <Button small variant="primary" busy={creating} onClick={() => void create()}>
              Create repository
            </Button>
          }
        >
          <p>
            Restore points go into an encrypted repository in your storage
            {repository.location ? (
              <>
                {' '}
                (<span className="mono">{repository.location}</span>)
              </>
            ) : null}
            . Creating it also makes the key that encrypts it, which you will see once as a recovery
            key.
          </p>
          {createError ? (
            <p className="field-error" role="alert">
              <Message text={createError.message} />
            </p>
          ) : null}
        </Callout>
      )
    default:
      return (
        <Callout
          tone="warning"
          title="The storage cannot be used for restore points yet"
          testId="repository-step"
          actions={
            <Button small onClick={() => void load()}>
              Check again
            </Button>
          }
        >
          <p>
            <Message
              text={
                repository.message ??
                (repository.state === 'no_master_key'
                  ? 'This storage holds a repository made on another computer: this computer needs its recovery key.'
                  : 'The repository in this storage does not open with this computer’s key.')
              }
            />
          </p>
        </Callout>
      )
  }
}
