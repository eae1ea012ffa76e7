/**
 * The Content-Security-Policy of the app, in one place for both hosts and the renderer's meta tag.
 * The renderer loads only its own bundled scripts and styles, talks to nothing but its host, and
 * cannot be framed: an injected string can neither run code nor send data anywhere.
 *
 * React sets `style` through the CSSOM, which `style-src 'self'` allows; nothing needs
 * 'unsafe-inline' or 'unsafe-eval' in a production build.
 */
const directives: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['manifest-src', "'self'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['worker-src', "'none'"],
  ['frame-ancestors', "'none'"],
]

function render(overrides: Record<string, string> = {}, omit: string[] = []): string {
  return directives
    .filter(([name]) => !omit.includes(name))
    .map(([name, value]) => `${name} ${overrides[name] ?? value}`)
    .join('; ')
}

/** The header the Electron shell sets on every app response. */
export const APP_CSP = render()

/**
 * For `<meta http-equiv="Content-Security-Policy">` in index.html: the same policy minus
 * `frame-ancestors`, which browsers ignore (with a console warning) in a meta tag; the hosts send
 * it as a header.
 */
export const APP_CSP_META = render({}, ['frame-ancestors'])

/**
 * The headless host's header: the app policy plus its own WebSocket origin. CSP3 already lets
 * 'self' match ws: on the same host, but naming it keeps older engines working.
 */
export function headlessCsp(port: number): string {
  return render({
    'connect-src': `'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
  })
}

/**
 * `electron-vite dev` only: the Vite dev server injects an inline React Refresh preamble and
 * `<style>` tags and talks to its HMR WebSocket. Never used for a built app.
 */
export function devServerCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws')
  return render({
    'script-src': `'self' 'unsafe-inline'`,
    'style-src': `'self' 'unsafe-inline'`,
    'connect-src': `'self' ${ws}`,
  })
}
