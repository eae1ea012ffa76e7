import { shell, type Session, type WebContents } from 'electron'
import { APP_CSP, devServerCsp } from '../../shared/csp'
import { isAppUrl, type AppLocation } from '../../shared/app-location'
import { isAllowedExternalUrl } from '../../shared/external-links'

/**
 * Session-wide rules: a CSP header on every response (the meta tag in index.html is the second
 * layer), no permission ever granted except writing to the clipboard from our own pages, and no
 * downloads.
 */
export function hardenSession(session: Session, location: AppLocation): void {
  const csp = location.devServerOrigin ? devServerCsp(location.devServerOrigin) : APP_CSP
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'content-security-policy',
      ),
    )
    responseHeaders['Content-Security-Policy'] = [csp]
    callback({ responseHeaders })
  })

  const allowed = (permission: string, origin: string) =>
    permission === 'clipboard-sanitized-write' && isAppUrl(origin, location)
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(allowed(permission, contents.getURL()))
  })
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    allowed(permission, requestingOrigin),
  )
  session.setDevicePermissionHandler(() => false)
  session.on('will-download', (event) => event.preventDefault())
}

/**
 * Applied to every web contents the app ever creates (app 'web-contents-created'), so a future
 * window cannot forget it: no navigation away from the app, no new windows (allow-listed https
 * links go to the user's browser instead), no <webview>.
 */
export function hardenWebContents(contents: WebContents, location: AppLocation): void {
  // A click on a link: ours stays, an allow-listed https link goes to the browser, others nowhere.
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, location)) return
    event.preventDefault()
    openExternally(event.url)
  })
  // Subframes only: it fires before 'will-navigate', and cancelling a main-frame navigation here
  // would keep 'will-navigate' from handing an allow-listed link to the browser.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isAppUrl(event.url, location)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, location)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url)
    return { action: 'deny' }
  })
}

function openExternally(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url).catch(() => {})
}
