import { itWhen } from '../gate.js'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { StorageBackend } from '../../facade/storage-backend.js'
import type { ConformanceGroup } from '../context.js'

const SIZE = 100
const KEY = 'ranges/bytes.bin'

/** Bytes 0, 1, ..., n - 1 of the 100-byte object. */
function span(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i)
}

export const ranges: ConformanceGroup = (ctx) => {
  describe('byte ranges', () => {
    let storage: StorageBackend

    beforeAll(async () => {
      storage = await ctx.create()
      await storage.writeBytes(KEY, Uint8Array.from(span(0, SIZE)))
      await storage.writeBytes('ranges/zero.bin', new Uint8Array(0))
    })

    const read = async (options?: { start?: number; end?: number }) => [...(await storage.readBytes(KEY, options))]

    it('reads the whole object without a range', async () => {
      expect(await read()).toEqual(span(0, SIZE))
    })

    it('reads [start, end): end is exclusive', async () => {
      expect(await read({ start: 10, end: 20 })).toEqual(span(10, 20))
      expect(await read({ start: 0, end: 1 })).toEqual([0])
      expect(await read({ start: 99, end: 100 })).toEqual([99])
    })

    it('reads from start to the end of the object with start only', async () => {
      expect(await read({ start: 90 })).toEqual(span(90, SIZE))
      expect(await read({ start: 0 })).toEqual(span(0, SIZE))
    })

    it('reads from the beginning with end only', async () => {
      expect(await read({ end: 5 })).toEqual(span(0, 5))
    })

    it('clamps an end past the size of the object', async () => {
      expect(await read({ start: 95, end: 1_000 })).toEqual(span(95, SIZE))
      expect(await read({ end: 1_000 })).toEqual(span(0, SIZE))
    })

    it('returns no bytes for an empty range', async () => {
      expect(await read({ start: 10, end: 10 })).toEqual([])
      expect(await read({ start: SIZE })).toEqual([])
      expect(await read({ start: SIZE, end: SIZE + 10 })).toEqual([])
    })

    itWhen(ctx, 'rangedReadOfEmptyObject')('returns no bytes for any range of a 0-byte object', async () => {
      expect((await storage.readBytes('ranges/zero.bin', { start: 0, end: 10 })).byteLength).toBe(0)
      expect((await storage.readBytes('ranges/zero.bin', { start: 0 })).byteLength).toBe(0)
    })

    it('fails with NOT_FOUND for a range of a missing key', async () => {
      await expect(storage.readBytes('ranges/missing.bin', { start: 0, end: 10 })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      })
    })
  })
}
