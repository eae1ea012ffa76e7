#!/usr/bin/env node
// The `cairn` command: runs the CLI that `npm run build` bundles into out/main/cli.js.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('cairn: the CLI is not built yet; run `npm run build` first.\n')
  process.exit(1)
}
await import(cli.href)
