import type { StorageTestResult } from '../../../../shared/domain/storage'
import { CheckIcon, CrossIcon } from '../../components/icons'
import { formatMs } from '../../lib/format'
import { Message } from '../../components/Message'

const stepOrder = ['connect', 'write', 'read', 'delete'] as const
const stepLabels: Record<(typeof stepOrder)[number], string> = {
  connect: 'Connect',
  write: 'Write a test object',
  read: 'Read it back',
  delete: 'Delete it',
}

/** The four checks in order; steps after a failure did not run and say so. */
export function StorageSteps({ result }: { result: StorageTestResult }) {
  return (
    <ol className="steps" data-testid="storage-steps">
      {stepOrder.map((name) => {
        const step = result.steps.find((s) => s.step === name)
        const state = !step ? 'skipped' : step.ok ? 'ok' : 'failed'
        return (
          <li key={name} className={`step step-${state}`} data-step={name} data-state={state}>
            <span className="step-mark" aria-hidden="true">
              {state === 'ok' ? (
                <CheckIcon size={15} />
              ) : state === 'failed' ? (
                <CrossIcon size={15} />
              ) : (
                '–'
              )}
            </span>
            <span className="step-name">
              {stepLabels[name]}
              <span className="visually-hidden">
                {state === 'ok' ? ': passed' : state === 'failed' ? ': failed' : ': not run'}
              </span>
            </span>
            <span className="step-ms">{step ? formatMs(step.ms) : 'not run'}</span>
            {step && !step.ok && step.message ? (
              <p className="step-message">
                <Message text={step.message} />
              </p>
            ) : null}
          </li>
        )
      })}
    </ol>
  )
}
