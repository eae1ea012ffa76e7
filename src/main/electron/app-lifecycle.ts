import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, dialog, powerMonitor, protocol, session, type BrowserWindow } from 'electron'
import { createCore, type CoreWithServices } from '../core/app'
import { workspaceOptionsFromEnv } from '../core/workspaces/env-options'
import { registerAppScheme, serveAppProtocol } from './app-protocol'
import { resolveAppLocation } from '../../shared/app-location'
import type { AppNavigate } from '../../shared/domain/navigation'
import { registerIpc } from './ipc'
import { followLaunchAtLogin, startedHidden } from './login-item'
import { startNotifications } from './notifications'
import { startTray } from './tray'
import { hardenSession, hardenWebContents } from './security'
import { createMainWindow } from './window'

// Built to out/main/index.js; the preload and the renderer are built beside it.
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const rendererDir = join(outDir, 'renderer')
const preloadPath = join(outDir, 'preload', 'index.cjs')

/**
 * The desktop app's life: one instance, one window, the core created once the app is ready and
 * disposed before it quits. Cairn lives in the tray: closing the window hides it (backups, idle
 * checks and schedules go on); Quit in the tray (or the OS) quits. Without a tray (a Linux desktop
 * with no status area) closing the window quits, as before. docs/desktop-shell.md.
 */
export function runApp(): void {
  app.enableSandbox()
  // The same folder the headless host uses by default ("Cairn", not the package name), and
  // CAIRN_DATA_DIR for tests and side-by-side installs. Set before the single-instance lock,
  // which lives in this folder.
  app.setPath('userData', process.env.CAIRN_DATA_DIR || join(app.getPath('appData'), 'Cairn'))
  registerAppScheme()

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  const location = resolveAppLocation(app.isPackaged, process.env.ELECTRON_RENDERER_URL)
  let window: BrowserWindow | null = null
  let core: CoreWithServices | null = null
  let disposeIpc: (() => void) | null = null
  let disposeShell: (() => void)[] = []
  let hasTray = false
  let quitting = false
  let disposed = false

  // Shows the window; `to` (a workspace's page, the list) goes to the renderer as app.navigate,
  // once a new window's page has loaded and subscribed to events.
  const showWindow = (to: AppNavigate | null = null) => {
    const navigate = () => {
      if (to) core?.events.emit('app.navigate', to)
    }
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
      navigate()
      return
    }
    const created = createMainWindow({ location, preloadPath })
    window = created
    created.webContents.once('did-finish-load', navigate)
    created.on('close', (event) => {
      if (quitting || !hasTray) return
      event.preventDefault()
      created.hide()
    })
    created.on('closed', () => (window = null))
  }

  app.on('second-instance', () => showWindow())
  app.on('activate', () => core && showWindow())
  app.on('before-quit', () => (quitting = true))
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, location))
  app.on('window-all-closed', () => {
    if (!hasTray && process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', (event) => {
    if (disposed || !core) return
    event.preventDefault()
    disposed = true
    const finish = () => app.quit()
    const current = core
    // "Stop every running workspace when Cairn quits": the stops (back up, verify, delete) finish
    // before the core goes; a failed one keeps its server and is in the job history.
    current
      .stopOnQuit()
      .catch((error: unknown) => current.logger.error('stopping workspaces on quit failed', error))
      .then(() => {
        for (const dispose of disposeShell) dispose()
        disposeIpc?.()
        return current.dispose()
      })
      .then(finish, finish)
  })

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession, location)
      serveAppProtocol(protocol, rendererDir)
      core = await createCore({
        dataDir: app.getPath('userData'),
        host: 'electron',
        version: app.getVersion(),
        workspaces: workspaceOptionsFromEnv(process.env),
      })
      const { logger } = core
      disposeIpc = registerIpc({
        core,
        location,
        window: () => window,
        reportError: (method, error) => logger.error(`unexpected error in ${method}`, error),
      })
      // After sleep: backups and verifies that fell due run now (once each), not at the next tick.
      powerMonitor.on('resume', () => {
        void core?.scheduler
          .tick()
          .catch((error: unknown) => logger.error('scheduler tick after resume failed', error))
      })
      const notifications = startNotifications({ core, open: showWindow })
      disposeShell = [notifications.stop, followLaunchAtLogin(core)]
      try {
        disposeShell.push(
          startTray({
            core,
            open: showWindow,
            quit: () => app.quit(),
            reportFailure: notifications.report,
          }),
        )
        hasTray = true
      } catch (error) {
        logger.error('no tray: closing the window will quit Cairn', error)
      }
      // Started at login: in the tray only, unless there is no tray to come back from.
      if (!startedHidden() || !hasTray) showWindow()
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error)
      dialog.showErrorBox('Cairn could not start', message)
      app.exit(1)
    })
}
