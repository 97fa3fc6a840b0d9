import { expect } from '@jest/globals'
import type { ByteRange, ObjectStore } from '../../store/object-store.js'
import { expectCode, rejection, type StoreCaseGroup } from './case.js'

const SIZE = 100
const KEY = 'ranges/bytes.bin'
const EMPTY = 'ranges/zero.bin'

/** Bytes start, start + 1, ..., end - 1 (the object holds byte i at offset i). */
function span(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i)
}

async function withObject(store: ObjectStore): Promise<(range?: ByteRange) => Promise<number[]>> {
  await store.put(KEY, Uint8Array.from(span(0, SIZE)))
  return async (range) => [...(await store.get(KEY, range))]
}

export const rangesGroup: StoreCaseGroup = {
  name: 'get and ranges',
  cases: [
    {
      name: 'reads the whole object without a range, with an empty range object and with [0, size)',
      async run(store) {
        const read = await withObject(store)
        expect(await read()).toEqual(span(0, SIZE))
        expect(await read({})).toEqual(span(0, SIZE))
        expect(await read({ start: 0, end: SIZE })).toEqual(span(0, SIZE))
      },
    },
    {
      name: 'reads [start, end) with end exclusive: the first byte, the last byte, an inner span',
      async run(store) {
        const read = await withObject(store)
        expect(await read({ start: 0, end: 1 })).toEqual([0])
        expect(await read({ start: SIZE - 1, end: SIZE })).toEqual([SIZE - 1])
        expect(await read({ start: SIZE - 1 })).toEqual([SIZE - 1])
        expect(await read({ start: 10, end: 20 })).toEqual(span(10, 20))
      },
    },
    {
      name: 'reads to the end with start only, and from the beginning with end only',
      async run(store) {
        const read = await withObject(store)
        expect(await read({ start: 90 })).toEqual(span(90, SIZE))
        expect(await read({ start: 0 })).toEqual(span(0, SIZE))
        expect(await read({ end: 5 })).toEqual(span(0, 5))
      },
    },
    {
      name: 'clamps an end past the size',
      async run(store) {
        const read = await withObject(store)
        expect(await read({ start: 95, end: 1_000 })).toEqual(span(95, SIZE))
        expect(await read({ end: SIZE + 1 })).toEqual(span(0, SIZE))
      },
    },
    {
      name: 'returns no bytes for a 0-length range, start = end anywhere, and a start at or past the size',
      async run(store) {
        const read = await withObject(store)
        expect(await read({ start: 10, end: 10 })).toEqual([])
        expect(await read({ start: 0, end: 0 })).toEqual([])
        expect(await read({ end: 0 })).toEqual([])
        expect(await read({ start: SIZE, end: SIZE })).toEqual([])
        expect(await read({ start: SIZE })).toEqual([])
        expect(await read({ start: SIZE, end: SIZE + 10 })).toEqual([])
        expect(await read({ start: SIZE + 50 })).toEqual([])
      },
    },
    {
      name: 'returns no bytes for any range of a 0-byte object',
      capability: 'rangedReadOfEmptyObject',
      async run(store) {
        await store.put(EMPTY, new Uint8Array(0))
        expect((await store.get(EMPTY, { start: 0, end: 10 })).byteLength).toBe(0)
        expect((await store.get(EMPTY, { start: 0 })).byteLength).toBe(0)
      },
      without: {
        name: 'without ranged reads of 0-byte objects, reads one whole (what a caller falls back to) as no bytes',
        async run(store) {
          await store.put(EMPTY, new Uint8Array(0))
          const bytes = await store.get(EMPTY)
          expect(bytes).toBeInstanceOf(Uint8Array)
          expect(bytes.byteLength).toBe(0)
          expect((await store.head(EMPTY)).size).toBe(0)
        },
      },
    },
    {
      name: 'fails with NOT_FOUND for get and ranged get of a missing key',
      async run(store) {
        await store.put('ranges/present', new Uint8Array(3))
        expectCode(await rejection(store.get('ranges/missing'), 'get of a missing key'), 'NOT_FOUND', 'get of a missing key')
        expectCode(
          await rejection(store.get('ranges/missing', { start: 0, end: 10 }), 'ranged get of a missing key'),
          'NOT_FOUND',
          'ranged get of a missing key',
        )
        expectCode(
          await rejection(store.get('ranges/missing', { start: 5 }), 'ranged get of a missing key'),
          'NOT_FOUND',
          'ranged get of a missing key past its would-be end',
        )
        // A folder-like prefix of a key is not an object either.
        expectCode(await rejection(store.get('ranges'), 'get of a folder'), 'NOT_FOUND', 'get of a folder-like prefix')
      },
    },
  ],
}
