// Sums jest JSON summaries and prints the one line CI reads: "N passed, N failed".
// With no argument it reads each package's .jest-results.json; with a folder, every .json below it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : []
  })
}

const folder = process.argv[2]
const packages = join(import.meta.dirname, '..', 'packages')
const results = folder
  ? files(folder)
  : readdirSync(packages)
      .map((pkg) => join(packages, pkg, '.jest-results.json'))
      .filter((file) => existsSync(file))

let passed = 0
let failed = 0
for (const file of results) {
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  // A suite that failed to load ran no tests; count it as a failure so it cannot pass silently.
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)
}
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
