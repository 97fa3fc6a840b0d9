import { mkdtemp, rm } from 'node:fs/promises'
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
    expect(await storage.listFiles('games/season=2024/week=1/')).toHaveLength(2)
    await rm(root, { recursive: true, force: true })
  })
})
