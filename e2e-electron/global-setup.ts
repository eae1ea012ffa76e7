import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

/** Fails with instructions, not Playwright's stack trace, when there is nothing to launch. */
export default function globalSetup(): void {
  const electronDir = dirname(
    createRequire(join(root, 'package.json')).resolve('electron/package.json'),
  )
  const pathFile = join(electronDir, 'path.txt')
  const binary = existsSync(pathFile)
    ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
    : null
  if (binary === null || !existsSync(binary)) {
    throw new Error(
      'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD was set when node_modules ' +
        'was installed). Install it with\n' +
        '  env -u ELECTRON_SKIP_BINARY_DOWNLOAD node node_modules/electron/install.js\n' +
        'then check it with `npx electron --version`, and run `npm run test:electron` again.',
    )
  }
  // Test today's source, not whatever out/ holds.
  execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  })
}
