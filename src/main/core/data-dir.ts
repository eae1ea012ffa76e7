import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_DIR_NAME = 'Cairn'

/**
 * Where Cairn keeps its settings and registry when no directory is given: `CAIRN_DATA_DIR`, or
 * the same per-OS folder Electron's `userData` resolves to for the desktop app, so the headless
 * host and the desktop app on one machine see the same settings.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.CAIRN_DATA_DIR) return env.CAIRN_DATA_DIR
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_DIR_NAME)
    case 'win32':
      return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_DIR_NAME)
    default:
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_DIR_NAME)
  }
}
