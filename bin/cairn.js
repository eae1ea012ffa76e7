#!/usr/bin/env node
// The `cairn` command: runs the CLI that `npm run build` bundles into out/main/cli.js.
//
// CommonJS on purpose (bin/package.json): libuv sizes its thread pool when it is first used, and
// an ES module entry is itself read through that pool before its first line runs. Here the size
// is set first. A local restore writes up to 16 files at once (open, write, utimes, close,
// rename each on the pool); with libuv's default of 4 threads they queue.
process.env.UV_THREADPOOL_SIZE ??= '16'
const { existsSync } = require('node:fs')
const path = require('node:path')
const { pathToFileURL } = require('node:url')

const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write('cairn: the CLI is not built yet; run `npm run build` first.\n')
  process.exit(1)
}
import(pathToFileURL(cli).href)
