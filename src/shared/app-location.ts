/**
 * Electron shell: where the app's own pages live, and the test every navigation and IPC sender
 * must pass. Pure (no 'electron'), so it lives here where unit tests may import it.
 *
 * A built app is served from a custom `cairn://app/` scheme rather than file://: pages get a
 * real origin of their own (file:// pages share one with every file on the disk), and the
 * protocol handler can set the CSP and other headers on every response.
 */
export const APP_SCHEME = 'cairn'
export const APP_ORIGIN = `${APP_SCHEME}://app`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

export interface AppLocation {
  /** The URL the window loads. */
  entryUrl: string
  /** The origin every page of the app has; anything else is foreign. */
  origin: string
  /** Set under `electron-vite dev`: the Vite dev server's origin. */
  devServerOrigin: string | null
}

/**
 * The dev server URL (ELECTRON_RENDERER_URL, set by `electron-vite dev`) is honoured only in an
 * unpackaged app, so an environment variable cannot point an installed Cairn at another site.
 */
export function resolveAppLocation(isPackaged: boolean, devServerUrl?: string): AppLocation {
  if (!isPackaged && devServerUrl) {
    const url = new URL(devServerUrl)
    if (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname)) {
      return { entryUrl: url.href, origin: url.origin, devServerOrigin: url.origin }
    }
  }
  return { entryUrl: APP_ENTRY_URL, origin: APP_ORIGIN, devServerOrigin: null }
}

export function isAppUrl(url: string, location: AppLocation): boolean {
  return originOf(url) === location.origin
}

/**
 * `scheme://host[:port]`, or null for an unparsable URL. Not `URL.origin`: for a custom scheme
 * such as cairn:// it is the string 'null' outside Chromium (Node, the main process).
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url)
    return parsed.host ? `${parsed.protocol}//${parsed.host.toLowerCase()}` : null
  } catch {
    return null
  }
}
