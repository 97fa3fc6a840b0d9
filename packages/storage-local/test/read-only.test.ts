import { spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

// A disk that refuses writes is PERMISSION_DENIED from the adapter itself, whatever calls it:
// Node's recursive mkdir reports ENOENT on a read-only file system, which read as NOT_FOUND.
// Run against the built package in a child process: a read-only mount needs its own mount
// namespace, and permissions need a process that does not override them.

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** Each key put through a LocalObjectStore at `root`, and a get of `readable`: the outcome as JSON. */
const SCRIPT = `
const { LocalObjectStore } = await import(process.env.DIST)
const store = new LocalObjectStore({ root: process.env.ROOT })
const out = {}
for (const key of JSON.parse(process.env.KEYS)) {
  try { await store.put(key, new Uint8Array([1])); out[key] = 'written' }
  catch (error) { out[key] = { code: error.code, message: error.message } }
}
if (process.env.READABLE) out.read = Array.from(await store.get(process.env.READABLE))
console.log(JSON.stringify(out))
`

function run(prefix: string[], env: Record<string, string>): Record<string, unknown> {
  const [command, ...args] = [...prefix, process.execPath]
  const result = spawnSync(command!, [...args, '--input-type=module', '-e', SCRIPT], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, DIST, ...env },
  })
  if (result.status !== 0) throw new Error(`child failed (${result.status}): ${result.stderr}`)
  return JSON.parse(result.stdout)
}

const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0
const isRoot = process.getuid?.() === 0
// Root keeps its user, so it can still read a clone under a private (0700) folder, but gives up the
// capabilities that override file permissions; any other user is already bound by them.
const BOUND_BY_PERMISSIONS = isRoot ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all'] : []
const canBeBoundByPermissions = !isRoot || spawnSync(BOUND_BY_PERMISSIONS[0]!, [...BOUND_BY_PERMISSIONS.slice(1), 'true']).status === 0

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfb-local-ro-'))
  await chmod(dir, 0o755)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const denied = (reason: RegExp) => ({ code: 'PERMISSION_DENIED', message: expect.stringMatching(reason) })

;(canUnshare ? it : it.skip)('on a read-only mount, put is PERMISSION_DENIED naming the read-only file system (new folders, new roots); get still works', async () => {
  const src = join(dir, 'src')
  const ro = join(dir, 'ro')
  await mkdir(join(src, 'games'), { recursive: true })
  await writeFile(join(src, 'games', 'old.bin'), new Uint8Array([7]))
  await mkdir(ro)
  const mount = ['unshare', '-rm', 'sh', '-c', 'mount --bind "$1" "$2" && mount -o remount,ro,bind "$2" && shift 2 && exec "$@"', 'sh', src, ro]
  const keys = ['games/new.bin', 'games/season=2024/week=1/part.bin', 'fresh/a/b.bin']
  expect(run(mount, { ROOT: ro, KEYS: JSON.stringify(keys), READABLE: 'games/old.bin' })).toEqual({
    'games/new.bin': denied(/EROFS/),
    'games/season=2024/week=1/part.bin': denied(/EROFS/),
    'fresh/a/b.bin': denied(/EROFS/),
    read: [7],
  })
  // A root that does not exist yet, below the read-only mount.
  expect(run(mount, { ROOT: join(ro, 'new', 'root'), KEYS: JSON.stringify(['t/x.bin']) })).toEqual({ 't/x.bin': denied(/EROFS/) })
})

describe('a folder without write permission', () => {
  ;(canBeBoundByPermissions ? it : it.skip)('put is PERMISSION_DENIED (EACCES) for a process that may not write there', async () => {
    const locked = join(dir, 'locked')
    await mkdir(join(locked, 'games'), { recursive: true })
    await chmod(join(locked, 'games'), 0o555)
    await chmod(locked, 0o555)
    expect(run(BOUND_BY_PERMISSIONS, { ROOT: locked, KEYS: JSON.stringify(['games/x.bin', 'games/season=2024/x.bin', 'other/x.bin']) })).toEqual({
      'games/x.bin': denied(/EACCES/),
      'games/season=2024/x.bin': denied(/EACCES/),
      'other/x.bin': denied(/EACCES/),
    })
    expect(run(BOUND_BY_PERMISSIONS, { ROOT: join(locked, 'new-root'), KEYS: JSON.stringify(['t/x.bin']) })).toEqual({ 't/x.bin': denied(/EACCES/) })
  })
})
