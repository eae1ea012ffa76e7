// Adds up the Vitest JSON reports of one `npm test` run and prints the closing line CI reads:
// "N passed, N failed". A skipped or pending test counts as a failure: npm test has none on purpose.
import { readFileSync, existsSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
const failures = []
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`(no report at ${file}: that stage did not run to the end)`)
    failed += 1
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  for (const suite of report.testResults ?? []) {
    const bad = (suite.assertionResults ?? []).filter((t) => t.status !== 'passed')
    for (const t of bad) {
      // The first lines of the assertion message, so a CI tail says why as well as what.
      const why = String(t.failureMessages?.[0] ?? '')
        .split('\n')
        .slice(0, 3)
        .join(' | ')
        .slice(0, 400)
      failures.push(`${t.status}: ${suite.name} > ${t.fullName}${why ? `\n    ${why}` : ''}`)
    }
    // A file that failed to load, or whose beforeAll threw (its tests then show as skipped), has
    // its reason only in the file's message.
    if (suite.status === 'failed' && suite.message) {
      const why = String(suite.message).split('\n').slice(0, 3).join(' | ').slice(0, 400)
      failures.push(`failed to run: ${suite.name}\n    ${why}`)
    }
  }
}
// Last, so the tail of a CI log (often all that is kept) names what broke.
for (const line of failures) console.log(line)
if (skipped > 0) console.log(`${skipped} test(s) skipped or todo: npm test allows none.`)
console.log(`${passed} passed, ${failed + skipped} failed`)
process.exit(failed + skipped > 0 ? 1 : 0)
