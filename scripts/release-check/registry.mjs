// The local registry: Verdaccio 6.8.0 in a temp folder, a user to publish as, and the npm config
// every npm call of the check uses.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, run, start, waitForUrl } from './processes.mjs'

// 6.10 needs Node 22; 6.8.0's node-fetch range resolves to a 3.x that needs it too.
const VERDACCIO = { dependencies: { verdaccio: '6.8.0' }, overrides: { 'node-fetch': '2.7.0' } }

export async function installVerdaccio(dir) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'release-check-registry', private: true, ...VERDACCIO }))
  // From the public registry (npm's own config), reusing npm's cache without revalidating it.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir })
}

export async function startVerdaccio(dir, upstream) {
  const config = readFileSync(new URL('verdaccio.yaml', import.meta.url), 'utf8').replace('url: UPSTREAM_URL', `url: ${upstream}`)
  writeFileSync(join(dir, 'config.yaml'), config)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  const cafile = (await run('npm', ['config', 'get', 'cafile'])).stdout.trim()
  const env = cafile && cafile !== 'null' && cafile !== 'undefined' ? { NODE_EXTRA_CA_CERTS: cafile } : {}
  const child = start(
    process.execPath,
    [join(dir, 'node_modules/verdaccio/bin/verdaccio'), '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    { cwd: dir, env },
  )
  await waitForUrl(`${url}-/ping`, child)
  return { child, url }
}

/** Creates the publishing user and writes an npmrc that points npm at the registry with its token. */
export async function writeNpmrc(url, path) {
  const name = 'release-check'
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${process.pid}-${Date.now()}`, type: 'user', roles: [] }),
  })
  const body = await response.json()
  if (!response.ok || !body.token) throw new Error(`could not add a user to Verdaccio: ${response.status}`)
  const host = url.replace(/^http:/, '')
  writeFileSync(path, `registry=${url}\n${host}:_authToken=${body.token}\naudit=false\nfund=false\nupdate-notifier=false\n`)
}
