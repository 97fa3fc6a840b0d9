import { describe, expect, it } from '@jest/globals'
import { getStorage, loadAdapter, MemoryStorage } from '../src/index.js'

describe('getStorage', () => {
  it('builds the in-memory backend for CFB_STORAGE_BACKEND=memory', async () => {
    const storage = await getStorage({ CFB_STORAGE_BACKEND: 'memory' })
    expect(storage).toBeInstanceOf(MemoryStorage)
    await storage.write('games', [{ id: 1 }], { season: 2024 })
    expect(await storage.readIndex('games')).toEqual([{ id: 1, season: 2024 }])
  })

  it('names the package to install when the adapter is missing', async () => {
    await expect(loadAdapter('@cfb/storage-not-installed')).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('npm install @cfb/storage-not-installed'),
    })
  })

  it('refuses an unknown backend with CONFIG', async () => {
    await expect(getStorage({ CFB_STORAGE_BACKEND: 'ftp' })).rejects.toMatchObject({ code: 'CONFIG' })
  })
})
