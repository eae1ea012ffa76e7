import { mkdir, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { app } from 'electron'
import type { CoreWithServices } from '../core/app'
import { coreCaller } from './core-call'

/** The argument a login start carries, so Cairn starts in the tray without a window. */
export const HIDDEN_ARG = '--hidden'

export function startedHidden(): boolean {
  return (
    process.argv.includes(HIDDEN_ARG) ||
    (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAsHidden)
  )
}

/**
 * Applies preferences.launchAtLogin now and on every settings.changed. macOS and Windows have
 * app.setLoginItemSettings; Linux has none, so an XDG autostart entry is written (packaged
 * builds only: a development Electron has no stable command to start).
 */
export function followLaunchAtLogin(core: CoreWithServices): () => void {
  let applied: boolean | null = null
  const apply = (enabled: boolean) => {
    if (enabled === applied) return
    applied = enabled
    void setLaunchAtLogin(enabled).catch((error: unknown) =>
      core.logger.error('applying launch at login failed', error),
    )
  }
  void coreCaller(core)('settings.get', {})
    .then((settings) => apply(settings.preferences.launchAtLogin))
    .catch(() => {})
  return core.events.subscribe((event, payload) => {
    if (event === 'settings.changed') {
      apply((payload as { preferences: { launchAtLogin: boolean } }).preferences.launchAtLogin)
    }
  })
}

async function setLaunchAtLogin(enabled: boolean): Promise<void> {
  if (process.platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] })
    return
  }
  if (!app.isPackaged) return
  const dir = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart')
  const file = join(dir, 'cairn.desktop')
  if (!enabled) return rm(file, { force: true })
  await mkdir(dir, { recursive: true })
  const exec = `"${process.execPath.replace(/(["\\$`])/g, '\\$1')}" ${HIDDEN_ARG}`
  await writeFile(
    file,
    `[Desktop Entry]\nType=Application\nName=Cairn\nExec=${exec}\nX-GNOME-Autostart-enabled=true\nTerminal=false\n`,
  )
}
