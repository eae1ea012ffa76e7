#!/usr/bin/env node
// `npm run serve [-- --port 8080 --data-dir DIR --hetzner-api URL]`: the headless host.
// Rebuilds first when out/ is missing or older than the sources (the build takes seconds), then
// runs out/main/host.js with the arguments given, passing signals through so Ctrl+C stops it
// cleanly.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { constants } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const outputs = ['out/main/host.js', 'out/renderer/index.html', 'out/preload/index.cjs']
const inputs = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json']

function mtime(path) {
  try {
    return statSync(join(root, path)).mtimeMs
  } catch {
    return null
  }
}

function newest(path) {
  const full = join(root, path)
  let stat
  try {
    stat = statSync(full)
  } catch {
    return 0
  }
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = stat.mtimeMs
  for (const entry of readdirSync(full)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

const built = outputs.map(mtime)
const stale = built.some((t) => t === null) || Math.max(...inputs.map(newest)) > Math.min(...built)
if (stale) {
  process.stderr.write('Building Cairn (electron-vite build)…\n')
  const result = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.status !== 0) {
    process.stderr.write('The build failed; see above.\n')
    process.exit(result.status ?? 1)
  }
}

// Semi-spaces of 4 MiB, as bin/cairn.js runs the CLI: ~45 MiB less peak RSS in a big backup.
const host = spawn(
  process.execPath,
  ['--max-semi-space-size=4', join(root, 'out/main/host.js'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => host.kill(signal))
}
host.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0))
})
