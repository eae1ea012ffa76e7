import type { Handlers } from '../dispatch'
import { downloadsDir, startDownload } from '../../restore-ui/download'
import { startWorkspaceRestore } from '../../restore-ui/restore-into-workspace'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

export interface RestoreUiOptions {
  /** Where downloads go by default; else env CAIRN_DOWNLOADS_DIR, else ~/Downloads. */
  downloadsDir?: string | undefined
}

/** restorePoints.download and workspaces.restore (docs/restore-ui.md). */
export function restoreUiHandlers(
  ctx: WorkspaceContext,
  options: RestoreUiOptions = {},
): Pick<Handlers, 'restorePoints.download' | 'workspaces.restore'> {
  return {
    'restorePoints.download': (input) =>
      startDownload(ctx.s, ctx.backup, input, downloadsDir(options.downloadsDir)),
    'workspaces.restore': (input) => startWorkspaceRestore(ctx, input),
  }
}
