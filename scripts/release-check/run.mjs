// The release check: publishes the five public packages to a local Verdaccio and installs them in
// empty projects the way users do, from that registry only. Each step passes or fails; the counts
// go to a jest-like summary (argument 1) that scripts/test-summary.mjs adds to CI's closing line.
// Exits non-zero when any step fails.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { freePort, run, start, stop, waitForUrl } from './processes.mjs'
import { installVerdaccio, startVerdaccio, writeNpmrc } from './registry.mjs'

const root = resolve(import.meta.dirname, '../..')
const consumer = join(import.meta.dirname, 'consumer')
const resultsFile = resolve(process.argv[2] ?? join(root, '.release-check.json'))
// Dependencies first, so each package's @cfb ranges can be checked against what is published.
const PUBLIC = ['storage-core', 'storage-local', 'storage-s3', 'storage-r2', 'storage-cli']

const work = mkdtempSync(join(tmpdir(), 'cfb-release-check-'))
const npmrc = join(work, 'npmrc')
// Every npm call reads only this config: the local registry and its token.
const npmEnv = { npm_config_userconfig: npmrc, npm_config_globalconfig: join(work, 'no-global-npmrc') }
const servers = []
const published = new Map() // name -> version
let passed = 0
let failed = 0
const began = Date.now()

async function step(name, fn) {
  const t0 = Date.now()
  try {
    await fn()
    passed++
    console.log(`  ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  } catch (error) {
    failed++
    console.log(`  FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n${indent(error?.message ?? String(error))}`)
  }
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `       ${line}`)
    .join('\n')
}

function assert(condition, message) {
  if (!condition) throw new Error(message)
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} kB`
}

function diskUsage(path) {
  const s = statSync(path, { throwIfNoEntry: false })
  if (!s) return 0
  if (!s.isDirectory()) return s.size
  return readdirSync(path).reduce((sum, name) => sum + diskUsage(join(path, name)), 0)
}

const npm = (args, cwd) => run('npm', args, { cwd, env: npmEnv })

/** An empty project with these packages installed from the local registry. */
async function project(name, packages) {
  assert(registry, 'no local registry')
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }))
  await npm(['install', '--registry', registry.url, '--no-audit', '--no-fund', '--loglevel=error', ...packages], dir)
  const installed = Object.keys(JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages).filter(
    (key) => key !== '',
  )
  return { dir, installed, packages, bytes: diskUsage(join(dir, 'node_modules')) }
}

function describe({ packages, installed, bytes }) {
  console.log(`       ${packages.join(' + ')}: ${installed.length} packages, ${(bytes / 1e6).toFixed(1)} MB in node_modules`)
}

/** Starts an install now, for a step to await later; its failure is reported by that step. */
function installing(name, packages) {
  const promise = project(name, packages)
  promise.catch(() => {})
  return promise
}

function assertNone(installed, pattern, what) {
  const found = installed.filter((key) => pattern.test(key.replace(/^.*node_modules\//, '')))
  assert(found.length === 0, `installed ${what}: ${found.slice(0, 5).join(', ')}`)
}

/** The conformance suite's legacy group reads every file expected.json names, and the datasets' folders. */
async function assertFixturesShipped(tarball, files) {
  const expected = JSON.parse((await run('tar', ['xzOf', tarball, 'package/fixtures/expected.json'])).stdout)
  const missing = Object.keys(expected.files).filter((file) => !files.includes(`package/fixtures/${file}`))
  assert(missing.length === 0, `core does not ship the fixtures ${missing.join(', ')}`)
  for (const dataset of Object.keys(expected.datasets))
    assert(
      files.some((f) => f.startsWith(`package/fixtures/${dataset}/`)),
      `core does not ship the fixture dataset ${dataset}`,
    )
  assert(!files.includes('package/fixtures/README.md'), 'core ships fixtures/README.md, which no code reads')
}

/** The first ```js block under the README's "## Quick start", exactly as written. */
function readmeQuickStart() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Quick start'))
  const match = /```js\n([\s\S]*?)```/.exec(section)
  assert(match, 'README.md has no ```js block under "## Quick start"')
  return match[1]
}

let registry
let semver
let moto
let a
let b
let c

console.log(`== release check (Node ${process.version}, in ${work})`)
// The build and the registry's install do not depend on each other.
const building = run('pnpm', ['build', '--output-logs=errors-only'], { cwd: root, env: { TURBO_TELEMETRY_DISABLED: '1' } })
building.catch(() => {})
try {
  await step('install Verdaccio 6.8.0', async () => {
    mkdirSync(join(work, 'registry'))
    await installVerdaccio(join(work, 'registry'))
    semver = createRequire(join(work, 'registry/package.json'))('semver')
  })

  await step('start Verdaccio on 127.0.0.1 (@cfb/* local only, the rest proxied)', async () => {
    const upstream = (await run('npm', ['config', 'get', 'registry'])).stdout.trim()
    registry = await startVerdaccio(join(work, 'registry'), upstream)
    servers.push(registry.child)
    await writeNpmrc(registry.url, npmrc)
    console.log(`       ${registry.url}, proxying ${upstream}`)
  })

  await step('build', () => building)

  for (const name of PUBLIC) {
    await step(`pack and publish @cfb/${name}`, async () => {
      assert(registry, 'no local registry')
      const out = join(work, 'tarballs')
      mkdirSync(out, { recursive: true })
      await run('pnpm', ['pack', '--pack-destination', out], { cwd: join(root, 'packages', name) })
      const tarball = readdirSync(out).find((f) => f.startsWith(`cfb-${name}-`))
      assert(tarball, `pnpm pack wrote no tarball for ${name}`)
      const path = join(out, tarball)
      const files = (await run('tar', ['tzf', path])).stdout.split('\n').filter(Boolean)
      assert(!files.some((f) => f.endsWith('.map')), `${tarball} ships source maps without their sources`)
      const manifest = JSON.parse((await run('tar', ['xzOf', path, 'package/package.json'])).stdout)
      assert(!manifest.private, `${manifest.name} is private`)
      for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        assert(!range.startsWith('workspace:'), `${manifest.name} publishes ${dep}@${range}`)
        if (published.has(dep))
          assert(
            semver.satisfies(published.get(dep), range),
            `${manifest.name} depends on ${dep}@${range}, which excludes ${published.get(dep)}`,
          )
      }
      if (manifest.name === '@cfb/storage-core') await assertFixturesShipped(path, files)
      await npm(['publish', path, '--registry', registry.url, '--loglevel=error'], work)
      published.set(manifest.name, manifest.version)
      console.log(`       ${manifest.name}@${manifest.version}: ${kb(statSync(path).size)} tarball, ${files.length} files`)
    })
  }

  // The four installs run side by side; each step below awaits its own.
  const installs = {
    a: installing('core-local', ['@cfb/storage-core', '@cfb/storage-local']),
    b: installing('core-s3', ['@cfb/storage-core', '@cfb/storage-s3']),
    c: installing('cli-local', ['@cfb/storage-cli', '@cfb/storage-local']),
    d: installing('typescript-consumer', [...PUBLIC.map((name) => `@cfb/${name}`), '@types/node@20']),
  }

  await step('npm install @cfb/storage-core @cfb/storage-local: no AWS SDK, DuckDB or jest', async () => {
    a = await installs.a
    describe(a)
    assertNone(a.installed, /^@aws-sdk\//, 'the AWS SDK')
    assertNone(a.installed, /duckdb/i, 'DuckDB')
    assertNone(a.installed, /^(jest|@jest\/|jest-|fast-check$)/, 'test dependencies')
  })

  await step("the README's quick start runs as written and prints its rows", async () => {
    assert(a, 'core + local are not installed')
    writeFileSync(join(a.dir, 'quickstart.mjs'), readmeQuickStart())
    const { stdout } = await run(process.execPath, ['quickstart.mjs'], { cwd: a.dir })
    process.stdout.write(`${indent(stdout.trimEnd())}\n`)
    assert(stdout.includes('[ { play_id: 1, yards: 12, week: 1 } ]'), 'the quick start did not print its rows')
    assert(statSync(join(a.dir, 'data/plays/season=2024/week=1')).isDirectory(), 'no data/plays/season=2024/week=1')
  })

  await step('CFB_STORAGE_BACKEND=s3 without @cfb/storage-s3 names the package, in one line', async () => {
    assert(a, 'core + local are not installed')
    const { code, stderr } = await run(process.execPath, ['quickstart.mjs'], {
      cwd: a.dir,
      env: { CFB_STORAGE_BACKEND: 's3' },
      allowFailure: true,
    })
    assert(code !== 0, 'getStorage() with CFB_STORAGE_BACKEND=s3 succeeded without the s3 package')
    const lines = stderr.split('\n').filter((line) => line.includes('npm install @cfb/storage-s3'))
    assert(lines.length === 1, `expected one line naming npm install @cfb/storage-s3:\n${stderr.slice(0, 1500)}`)
    console.log(`       ${lines[0].trim()}`)
  })

  await step('npm install @cfb/storage-core @cfb/storage-s3; write and read on moto through getStorage()', async () => {
    b = await installs.b
    describe(b)
    // The same test that finds no AWS SDK in core + local finds it here.
    assert(b.installed.includes('node_modules/@aws-sdk/client-s3'), 'no @aws-sdk/client-s3 under core + s3')
    assertNone(b.installed, /duckdb/i, 'DuckDB')
    assertNone(b.installed, /^(jest|@jest\/|jest-)/, 'test dependencies')
    const port = await freePort()
    moto = start('moto_server', ['-H', '127.0.0.1', '-p', String(port)])
    servers.push(moto)
    const endpoint = `http://127.0.0.1:${port}`
    await waitForUrl(`${endpoint}/`, moto)
    const bucket = 'release-check'
    const created = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' })
    assert(created.ok, `creating the bucket answered ${created.status}`)
    copyFileSync(join(consumer, 's3-roundtrip.mjs'), join(b.dir, 's3-roundtrip.mjs'))
    const { stdout } = await run(process.execPath, ['s3-roundtrip.mjs'], {
      cwd: b.dir,
      env: {
        CFB_STORAGE_BACKEND: 's3',
        CFB_S3_BUCKET: bucket,
        CFB_S3_ENDPOINT: endpoint,
        CFB_S3_REGION: 'us-east-1',
        CFB_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'release-check',
        AWS_SECRET_ACCESS_KEY: 'release-check',
      },
    })
    const expected = [
      { play_id: 1, offense: 'Texas', yards: 12, epa: 0.41 },
      { play_id: 2, offense: 'Oregon', yards: -3, epa: -0.7 },
    ]
    assert(stdout.trim() === JSON.stringify(expected), `read back ${stdout.trim()}`)
    // The rows are in the bucket, not somewhere else: ask moto directly.
    const listing = await (await fetch(`${endpoint}/${bucket}?list-type=2&prefix=plays/season=2024/week=1/`)).text()
    assert(/<Key>plays\/season=2024\/week=1\/part-[^<]+\.parquet<\/Key>/.test(listing), 'moto holds no Parquet part for the partition')
    console.log(`       read back ${stdout.trim()}`)
  })

  await step('npm install @cfb/storage-cli @cfb/storage-local; cfb-storage --help, --version and a CSV round trip', async () => {
    c = await installs.c
    describe(c)
    assertNone(c.installed, /^@aws-sdk\//, 'the AWS SDK')
    const npx = (args) => run('npx', ['--no-install', 'cfb-storage', ...args], { cwd: c.dir, env: npmEnv })
    const help = (await npx(['--help'])).stdout
    assert(help.startsWith('Usage: cfb-storage'), `--help printed:\n${help.slice(0, 500)}`)
    // The version users see is the one they installed, which is the one published above.
    const installedCli = JSON.parse(readFileSync(join(c.dir, 'node_modules/@cfb/storage-cli/package.json'), 'utf8')).version
    assert(installedCli === published.get('@cfb/storage-cli'), `installed @cfb/storage-cli@${installedCli}, published ${published.get('@cfb/storage-cli')}`)
    const shown = (await npx(['--version'])).stdout.trim()
    assert(shown === installedCli, `cfb-storage --version printed ${JSON.stringify(shown.slice(0, 200))}, the package is ${installedCli}`)
    console.log(`       cfb-storage --version: ${shown}`)
    copyFileSync(join(consumer, 'games.csv'), join(c.dir, 'games.csv'))
    await npx(['write', 'games', '--partition', 'season=2024,week=1', '--from', 'games.csv', '--backend', 'local:./data'])
    const read = (await npx(['read', 'games', '--backend', 'local:./data', '--format', 'csv'])).stdout
    const written = readFileSync(join(c.dir, 'games.csv'), 'utf8').trimEnd().split('\n')
    const expected = [`${written[0]},season,week`, ...written.slice(1).map((line) => `${line},2024,1`)]
    assert(read.trimEnd().split('\n').join('\n') === expected.join('\n'), `read back:\n${read}`)
    // A CSV in, a Delta table of Parquet stored, CSV out.
    const stored = readdirSync(join(c.dir, 'data/games/season=2024/week=1'))
    assert(stored.some((f) => f.endsWith('.parquet')), `stored ${stored.join(', ')}, no Parquet`)
    assert(readdirSync(join(c.dir, 'data/games/_delta_log')).includes('00000000000000000000.json'), 'no Delta log version 0')
  })

  await step('a strict TypeScript consumer (module nodenext) type-checks against the installed packages', async () => {
    const d = await installs.d
    describe(d)
    for (const file of ['typed.ts', 'tsconfig.json']) copyFileSync(join(consumer, file), join(d.dir, file))
    const tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin/tsc')
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: d.dir })
  })
} finally {
  await Promise.all(servers.map(stop))
}

mkdirSync(dirname(resultsFile), { recursive: true })
writeFileSync(resultsFile, JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numRuntimeErrorTestSuites: 0 }))
// Kept when something failed, to look into.
if (failed === 0) rmSync(work, { recursive: true, force: true })
const seconds = ((Date.now() - began) / 1000).toFixed(0)
console.log(`== release check: ${passed} passed, ${failed} failed in ${seconds} s${failed ? `; see ${work}` : ''}`)
process.exitCode = failed > 0 ? 1 : 0
