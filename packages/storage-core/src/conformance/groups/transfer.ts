import { describe, expect, it } from '@jest/globals'
import type { Row } from '../../facade/storage-backend.js'
import { SHA256_METADATA, sha256Hex } from '../../transfer/digest.js'
import { migrate } from '../../transfer/migrate.js'
import { formatGroup, verify } from '../../transfer/verify.js'
import type { ConformanceGroup } from '../context.js'
import { byId, storeOf, utf8 } from '../harness.js'


const PLAYS: Row[] = Array.from({ length: 40 }, (_, i) => ({ id: i, week: 1 + (i % 4), yards: i * 1.5, team: `t${i % 3}` }))

// The owner's main job: a migration between two roots of this backend that verifies as
// `missing=0, extra=0, differ=0`, leaves a table readable on the other side, and resumes.
export const transfer: ConformanceGroup = (ctx) => {
  describe('migrate and verify between two roots', () => {
    it('copies a table and loose files whole: verify finds nothing missing, extra or different, and the copy reads the same', async () => {
      const from = await ctx.create()
      const to = await ctx.create()
      await from.writePartitioned('plays', PLAYS, ['week'])
      await from.write('plays', [{ id: 99, yards: 3, team: 'x' }], { week: 2 }, { overwrite: false })
      await from.writeBytes('raw/notes.txt', utf8('kept as bytes'))
      const keys = await from.listFiles()
      const result = await migrate(storeOf(from), storeOf(to), { concurrency: 4 })
      expect([...result.copied].sort()).toEqual([...keys].sort())
      const checked = await verify(storeOf(from), storeOf(to), { checksum: 'download' })
      expect(checked.differences).toEqual([])
      expect(checked.groups.map(formatGroup)).toEqual([
        `plays: source=${keys.length - 1}, dest=${keys.length - 1}, missing=0, extra=0, differ=0`,
        'raw: source=1, dest=1, missing=0, extra=0, differ=0',
      ])
      expect(byId(await to.readIndex('plays'))).toEqual(byId(await from.readIndex('plays')))
      expect(await to.history('plays')).toHaveLength(2)
      expect(await to.readBytes('raw/notes.txt')).toEqual(utf8('kept as bytes'))
      // A rerun copies nothing: every object is already there and the same.
      const again = await migrate(storeOf(from), storeOf(to))
      expect({ copied: again.copied, skipped: again.skipped }).toEqual({ copied: [], skipped: keys.length })
    })

    it('records each copy\'s SHA-256 as metadata where the store keeps metadata (objectMetadata); verify by metadata agrees', async () => {
      const from = await ctx.create()
      const to = await ctx.create()
      await from.write('games', [{ id: 1 }, { id: 2 }], { season: 2024 })
      await migrate(storeOf(from), storeOf(to))
      const keys = await to.listFiles('games/')
      const kept = (await ctx.capabilities()).objectMetadata
      for (const key of keys) {
        const info = await storeOf(to).head(key)
        if (kept) expect(info.metadata?.[SHA256_METADATA]).toBe(sha256Hex(await to.readBytes(key)))
        else expect(info.metadata?.[SHA256_METADATA]).toBeUndefined()
      }
      expect((await verify(storeOf(from), storeOf(to), { checksum: 'metadata' })).ok).toBe(true)
    })

    it('verify reports an object changed on one side, and a migration copies it again', async () => {
      const from = await ctx.create()
      const to = await ctx.create()
      await from.writeBytes('raw/a.txt', utf8('aaaa'))
      await from.writeBytes('raw/b.txt', utf8('bbbb'))
      await migrate(storeOf(from), storeOf(to))
      await to.writeBytes('raw/b.txt', utf8('BBBB'))
      await to.writeBytes('raw/c.txt', utf8('extra'))
      const checked = await verify(storeOf(from), storeOf(to), { checksum: 'download' })
      expect(checked.ok).toBe(false)
      expect(checked.differences.map((d) => `${d.mark} ${d.key}`).sort()).toEqual(['* raw/b.txt', '- raw/c.txt'])
      const result = await migrate(storeOf(from), storeOf(to), { checksum: 'download', deleteExtra: true })
      expect({ copied: result.copied, deleted: result.deleted }).toEqual({ copied: ['raw/b.txt'], deleted: ['raw/c.txt'] })
      expect((await verify(storeOf(from), storeOf(to), { checksum: 'download' })).ok).toBe(true)
    })
  })
}
