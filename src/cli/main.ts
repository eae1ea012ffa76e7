// Placeholder until the `cairn` command line is built (a later issue); it exists so the build,
// which bundles the CLI with the main process, has its entry.
const usage = `Usage: cairn <command> [options]

The Cairn command line is not available in this version yet.
Run the desktop app, or the headless host with \`npm run serve\`.
`

const args = process.argv.slice(2)
if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage)
} else {
  process.stderr.write(usage)
  process.exitCode = 2
}
