import { BrowserWindow } from 'electron'
import type { AppLocation } from '../../shared/app-location'

export interface MainWindowOptions {
  location: AppLocation
  preloadPath: string
}

/** The one window. Its web preferences are the Electron security checklist (docs/security.md). */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Cairn',
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  })
  window.once('ready-to-show', () => window.show())
  void window.loadURL(options.location.entryUrl)
  return window
}
