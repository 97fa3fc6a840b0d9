// A folder that changes between `readdir` and `stat`: an overwrite lands its new commit, then
// deletes the old one. A listing must show the new commit, not a folder that looks empty.
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import * as realFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'

/** Runs once, just before the `stat` of a path ending with this name (set by the test). */
let onStat: { name: string; run: () => Promise<void> } | undefined
jest.unstable_mockModule('node:fs/promises', () => ({
  ...realFs,
  stat: async (path: string, ...rest: unknown[]) => {
    if (onStat && String(path).endsWith(onStat.name)) {
      const hook = onStat
      onStat = undefined
      await hook.run()
    }
    return (realFs.stat as (...args: unknown[]) => Promise<unknown>)(path, ...rest)
  },
}))
const { LocalObjectStore } = await import('../src/index.js')

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cfb-listing-race-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function keys(store: InstanceType<typeof LocalObjectStore>, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const entry of store.list(prefix)) if (entry.kind === 'object') out.push(entry.key)
  return out
}

describe('local listing of a folder changing under it', () => {
  it('reads the folder again when a file vanished between readdir and stat', async () => {
    const commits = join(root, 'plays', 'season=2024', '_commits')
    await mkdir(commits, { recursive: true })
    await writeFile(join(commits, 'A.json'), '{}')
    onStat = {
      name: 'A.json',
      run: async () => {
        await writeFile(join(commits, 'B.json'), '{}')
        await unlink(join(commits, 'A.json'))
      },
    }
    const store = new LocalObjectStore({ root })
    expect(await keys(store, 'plays/season=2024/')).toEqual(['plays/season=2024/_commits/B.json'])
    expect(onStat).toBeUndefined()
  })

  it('drops a file that is simply gone', async () => {
    const folder = join(root, 'games')
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, 'a.parquet'), 'x')
    await writeFile(join(folder, 'b.parquet'), 'y')
    onStat = { name: 'a.parquet', run: () => unlink(join(folder, 'a.parquet')) }
    const store = new LocalObjectStore({ root })
    expect(await keys(store, 'games/')).toEqual(['games/b.parquet'])
  })
})
