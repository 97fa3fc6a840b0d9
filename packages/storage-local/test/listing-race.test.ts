// A folder that changes between `readdir` and `stat`: an overwrite puts its new data file, commits,
// then deletes the file it replaced. A listing (vacuum, a plain folder's read) must show the new
// file, not a folder that looks empty.
import * as realFs from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'

/** Runs once, just before the `stat` of a path ending with this name (set by the test). */
let onStat: { name: string; run: () => void } | undefined
// The listing stats regular files synchronously.
jest.unstable_mockModule('node:fs', () => ({
  ...realFs,
  statSync: (path: string, ...rest: unknown[]) => {
    if (onStat && String(path).endsWith(onStat.name)) {
      const hook = onStat
      onStat = undefined
      hook.run()
    }
    return (realFs.statSync as (...args: unknown[]) => unknown)(path, ...rest)
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
    const partition = join(root, 'plays', 'season=2024')
    await mkdir(partition, { recursive: true })
    await writeFile(join(partition, 'part-A-0.parquet'), 'a')
    onStat = {
      name: 'part-A-0.parquet',
      run: () => {
        realFs.writeFileSync(join(partition, 'part-B-0.parquet'), 'b')
        realFs.unlinkSync(join(partition, 'part-A-0.parquet'))
      },
    }
    const store = new LocalObjectStore({ root })
    expect(await keys(store, 'plays/season=2024/')).toEqual(['plays/season=2024/part-B-0.parquet'])
    expect(onStat).toBeUndefined()
  })

  it('drops a file that is simply gone', async () => {
    const folder = join(root, 'games')
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, 'a.parquet'), 'x')
    await writeFile(join(folder, 'b.parquet'), 'y')
    onStat = { name: 'a.parquet', run: () => realFs.unlinkSync(join(folder, 'a.parquet')) }
    const store = new LocalObjectStore({ root })
    expect(await keys(store, 'games/')).toEqual(['games/b.parquet'])
  })
})
