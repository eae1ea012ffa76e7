import { join } from 'node:path'
import { app, nativeImage, type NativeImage } from 'electron'
import type { TrayIcon } from '../core/desktop/tray-menu'

/**
 * The tray icons (resources/tray, made by scripts/make-tray-icons.mjs). Loaded from a path so
 * Electron picks the @2x file on high-density screens.
 */
export function loadTrayIcons(): Record<TrayIcon, NativeImage> {
  const dir = join(app.getAppPath(), 'resources', 'tray')
  const load = (name: TrayIcon) => nativeImage.createFromPath(join(dir, `${name}.png`))
  return { idle: load('idle'), working: load('working'), problem: load('problem') }
}
