// Sums the JSON summaries each package's jest run wrote and prints the one line CI reads.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

let passed = 0
let failed = 0
let suitesFailed = 0
const root = join(import.meta.dirname, '..', 'packages')
for (const pkg of readdirSync(root)) {
  const file = join(root, pkg, '.jest-results.json')
  if (!existsSync(file)) continue
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests
  suitesFailed += r.numRuntimeErrorTestSuites ?? 0
}
if (suitesFailed > 0) console.log(`${suitesFailed} test suite(s) failed to run`)
console.log(`${passed} passed, ${failed + suitesFailed} failed`)
process.exitCode = failed + suitesFailed > 0 ? 1 : 0
