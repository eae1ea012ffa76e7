import type { Job } from '../../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'

/** The workspace's problem, else its last job's failure while nothing runs (list row and detail). */
export function WorkspaceAlerts({
  ws,
  active,
  failed,
}: {
  ws: WorkspaceView
  active: Job | null
  failed: Job | null
}) {
  return (
    <>
      {ws.problem ? (
        <Callout tone="warning" title="This workspace needs attention" testId="workspace-problem">
          <p data-error-code={ws.problem.code}>
            <Message text={ws.problem.message} />
          </p>
        </Callout>
      ) : null}
      {failed && !active && !ws.problem ? (
        <Callout tone="error" title={`${failed.title} failed`} testId="workspace-job-error">
          <p data-error-code={failed.error?.code}>
            <Message text={failed.error?.message ?? ''} />
          </p>
        </Callout>
      ) : null}
    </>
  )
}
