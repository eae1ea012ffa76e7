#!/usr/bin/env -S node --max-semi-space-size=4
// The `cairn` command: runs the CLI that `npm run build` bundles into out/main/cli.js.
// --max-semi-space-size=4: V8's young generation at 4 MiB semi-spaces instead of 16 keeps a
// 1 GiB backup's or restore's peak RSS ~45 MiB lower at the same speed (docs/benchmarks.md). A
// V8 heap flag only works from the command line, not set later from inside the process.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('cairn: the CLI is not built yet; run `npm run build` first.\n')
  process.exit(1)
}
await import(cli.href)
