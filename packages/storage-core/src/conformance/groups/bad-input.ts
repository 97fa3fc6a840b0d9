import { describe, expect, it } from '@jest/globals'
import type { StorageBackend } from '../../facade/storage-backend.js'
import type { PartitionInput } from '../../partition/partition.js'
import type { ConformanceGroup } from '../context.js'

const BAD_ENTITIES = ['../x', 'a/b', '', 'a\u0000b', '.hidden', '_x', '..', 'a\\b', ' x']
const BAD_PARTITION_KEYS = ['a=b', 'a/b', '', '../x', 'a\u0000b']
const BAD_KEYS = ['../x', '/abs', 'a//b', 'a\\b', 'a\u0000b', '', 'a/../b', 'a/./b', 'dir/', '.', '..']

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
}

async function expectNothingWritten(storage: StorageBackend): Promise<void> {
  expect(await storage.listFiles('')).toEqual([])
}

export const badInput: ConformanceGroup = (ctx) => {
  describe('bad input', () => {
    it.each(BAD_ENTITIES.map((e) => [JSON.stringify(e), e]))(
      'rejects entity %s with INVALID_ARGUMENT and writes nothing',
      async (_, entity) => {
        const storage = await ctx.create()
        await expectInvalid(storage.write(entity, [{ id: 1 }], { season: 2024 }))
        await expectInvalid(storage.readIndex(entity))
        await expectInvalid(storage.listPartitions(entity))
        await expectInvalid((async () => storage.scan(entity)[Symbol.asyncIterator]().next())())
        await expectNothingWritten(storage)
      },
    )

    it.each(BAD_PARTITION_KEYS.map((k) => [JSON.stringify(k), k]))(
      'rejects partition key %s with INVALID_ARGUMENT and writes nothing',
      async (_, key) => {
        const storage = await ctx.create()
        await expectInvalid(storage.write('games', [{ id: 1 }], { [key]: 1 } as PartitionInput))
        await expectNothingWritten(storage)
      },
    )

    it('rejects partition values that are not string, finite number, boolean or null', async () => {
      const storage = await ctx.create()
      for (const value of [Number.NaN, Number.POSITIVE_INFINITY, undefined, { a: 1 }, [1], new Date(0), 1n]) {
        await expectInvalid(storage.write('games', [{ id: 1 }], { season: value } as unknown as PartitionInput))
      }
      await expectNothingWritten(storage)
    })

    it.each(BAD_KEYS.map((k) => [JSON.stringify(k), k]))(
      'rejects path %s with INVALID_ARGUMENT in every path call and writes nothing',
      async (_, key) => {
        const storage = await ctx.create()
        await expectInvalid(storage.writeBytes(key, new Uint8Array([1])))
        await expectInvalid(storage.writeParquet(key, [{ id: 1 }]))
        await expectInvalid(storage.writeCsv(key, [{ id: 1 }]))
        await expectInvalid(storage.readBytes(key))
        await expectInvalid(storage.readParquet(key))
        await expectInvalid(storage.readCsv(key))
        await expectInvalid(storage.exists(key))
        await expectInvalid(storage.delete(key))
        await expectInvalid(storage.delete(['fine.txt', key]))
        await expectNothingWritten(storage)
      },
    )

    it('rejects listing prefixes that escape the root', async () => {
      const storage = await ctx.create()
      for (const prefix of ['../', '../x', '/abs', 'a/../', 'a\u0000', 'a\\b']) {
        await expectInvalid(storage.listFiles(prefix))
      }
    })

    it('rejects malformed records, filters and options with INVALID_ARGUMENT', async () => {
      const storage = await ctx.create()
      await expectInvalid(storage.write('games', [null as unknown as Record<string, unknown>], { season: 2024 }))
      await expectInvalid(storage.write('games', [[1, 2] as unknown as Record<string, unknown>], { season: 2024 }))
      await expectInvalid(storage.write('games', 'rows' as unknown as [], { season: 2024 }))
      await expectInvalid(storage.write('games', [{ id: 1 }], { season: 2024 }, { format: 'xlsx' as 'csv' }))
      await expectInvalid(storage.write('games', [{ id: () => 1 }], { season: 2024 }))
      await expectInvalid(storage.write('games', [{ id: Symbol('x') }], { season: 2024 }))
      await expectInvalid(storage.write('games', [{ id: new Map() }], { season: 2024 }))
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await expectInvalid(storage.write('games', [{ meta: cyclic }], { season: 2024 }))
      // JSON.parse makes an own "__proto__" key, which no copy into a plain object can keep.
      await expectInvalid(storage.write('games', [{ meta: JSON.parse('{"a": {"__proto__": 1}}') }], { season: 2024 }))
      await expectNothingWritten(storage)
      await storage.write('games', [{ id: 1 }], { season: 2024 })
      await expectInvalid(storage.readIndex('games', { season: { between: [1, 2] } } as never))
      await expectInvalid(storage.readIndex('games', { season: { gt: {} } } as never))
    })
  })
}
