import { crumbsOf } from './entry-format'

/** Where in the restore point the list is; every folder above is a link back. */
export function Breadcrumbs({
  path,
  root,
  onGo,
}: {
  path: string
  /** How the top is called: the workspace's one kept path, or "Top". */
  root: string
  onGo(path: string): void
}) {
  const crumbs = crumbsOf(path)
  return (
    <nav className="rp-crumbs" aria-label="Folder" data-testid="restore-breadcrumbs">
      <ol>
        {crumbs.map((crumb, i) => {
          const last = i === crumbs.length - 1
          const label = crumb.path === '' ? root : crumb.name
          return (
            <li key={crumb.path}>
              {last ? (
                <span aria-current="location" className="rp-crumb-current">
                  {label}
                </span>
              ) : (
                <button type="button" className="rp-crumb" onClick={() => onGo(crumb.path)}>
                  {label}
                </button>
              )}
            </li>
          )
        })}
      </ol>
    </nav>
  )
}
