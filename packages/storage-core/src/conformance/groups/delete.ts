import { describe, expect, it } from '@jest/globals'
import type { ConformanceGroup } from '../context.js'
import { utf8, writeKeys } from '../harness.js'

export const deletion: ConformanceGroup = (ctx) => {
  describe('delete', () => {
    it('deletes one key and leaves its neighbours', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['d/a.txt', 'd/a.txt.bak', 'd/b.txt'], utf8)
      await storage.delete('d/a.txt')
      expect(await storage.exists('d/a.txt')).toBe(false)
      expect(await storage.listFiles('d/')).toEqual(['d/a.txt.bak', 'd/b.txt'])
    })

    it('deletes an array of keys', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['d/a.txt', 'd/b.txt', 'd/c.txt', 'e/a.txt'], utf8)
      await storage.delete(['d/a.txt', 'd/c.txt', 'e/a.txt'])
      expect(await storage.listFiles()).toEqual(['d/b.txt'])
    })

    it('treats missing keys as already deleted', async () => {
      const storage = await ctx.create()
      await storage.writeBytes('d/present.txt', utf8('x'))
      await expect(storage.delete('d/missing.txt')).resolves.toBeUndefined()
      await storage.delete(['d/missing.txt', 'd/present.txt', 'never/there.txt'])
      expect(await storage.listFiles()).toEqual([])
      await expect(storage.delete([])).resolves.toBeUndefined()
    })

    it('deletes a key, never the folder-like prefix of the same name', async () => {
      const storage = await ctx.create()
      await writeKeys(storage, ['dir/a.txt', 'dir/sub/b.txt'], utf8)
      await storage.delete(['dir', 'dir/sub'])
      expect(await storage.listFiles()).toEqual(['dir/a.txt', 'dir/sub/b.txt'])
    })

    it('deletes more than 1,000 keys in one call', async () => {
      const storage = await ctx.create()
      const keys = Array.from({ length: 1_100 }, (_, i) => `bulk/${String(i).padStart(4, '0')}.bin`)
      await writeKeys(storage, [...keys, 'keep/me.bin'])
      expect(await storage.listFiles('bulk/')).toHaveLength(1_100)
      await storage.delete(keys)
      expect(await storage.listFiles('bulk/')).toEqual([])
      expect(await storage.listFiles()).toEqual(['keep/me.bin'])
    })
  })
}
