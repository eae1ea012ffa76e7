import { useNavigation } from '../../state/navigation'

/** One workspace: actions, live progress, restore points (timeline, chart, browse, restore). */
export function WorkspaceDetailPage() {
  const id = useNavigation((s) => s.workspaceId)
  return <p>Workspace {id}</p>
}
