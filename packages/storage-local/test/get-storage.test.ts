import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { getStorage } from '@cfb/storage-core'
import { LocalStorage } from '../src/index.js'

describe('getStorage with @cfb/storage-local installed', () => {
  it('loads the local adapter by default, rooted at CFB_MODEL_DATA_ROOT', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cfb-env-'))
    const storage = await getStorage({ CFB_MODEL_DATA_ROOT: root })
    // getStorage imports the built package, so compare by name rather than by class identity.
    expect(storage.constructor.name).toBe(LocalStorage.name)
    expect(storage.name).toBe('local')
    expect(storage.root()).toBe(root)
    await storage.write('games', [{ game_id: 1 }], { season: 2024, week: 1 })
    // A Delta table: the data file in its Hive folder, version 0 in the table's log, on disk under the root.
    expect((await storage.listFiles('games/')).map((key) => key.replace(/part-[^/]+\.parquet$/, 'part-<id>.parquet'))).toEqual([
      'games/_delta_log/00000000000000000000.json',
      'games/season=2024/week=1/part-<id>.parquet',
    ])
    expect((await stat(join(root, 'games', '_delta_log', '00000000000000000000.json'))).isFile()).toBe(true)
    expect(await storage.readIndex('games')).toEqual([{ game_id: 1, season: 2024, week: 1 }])
    await rm(root, { recursive: true, force: true })
  })
})
