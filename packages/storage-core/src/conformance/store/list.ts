import { expect } from '@jest/globals'
import type { ObjectStore } from '../../store/object-store.js'
import { StorageError } from '../../errors.js'
import { listAll, listKeys, numberedKeys, putAll, type StoreCaseGroup, text, utf8, utf8Order } from './case.js'

/**
 * Keys whose UTF-8 byte order differs from JavaScript's UTF-16 order: U+FFFF sorts before an emoji
 * in UTF-8 (EF BF BF < F0 9F ...) and after it in UTF-16 (0xFFFF > 0xD83D). No key is also a folder.
 */
const ORDER_KEYS = [
  'order/a\u{1F600}',
  'order/a\uFFFF',
  'order/a\u00E9',
  'order/a\u65E5',
  'order/a~',
  'order/aZ',
  'order/a0',
  'order/a/z',
  'order/a.b',
  'order/a-b',
  'order/a b',
  'order/A',
]

const NFC = 'norm/caf\u00e9.txt'
const NFD = 'norm/cafe\u0301.txt'

const TREE = ['tree/a.txt', 'tree/b.txt', 'tree/b/1', 'tree/b/2', 'tree/c.txt', 'tree/c/x/y']

async function putTree(store: ObjectStore): Promise<void> {
  await putAll(store, [...TREE, 'treehouse.txt'])
}

export const listGroup: StoreCaseGroup = {
  name: 'list',
  cases: [
    {
      name: 'yields keys in UTF-8 byte order, not UTF-16 order',
      capability: 'utf8ListingOrder',
      async run(store) {
        await putAll(store, ORDER_KEYS)
        const expected = utf8Order(ORDER_KEYS)
        expect(expected.indexOf('order/a\uFFFF')).toBeLessThan(expected.indexOf('order/a\u{1F600}'))
        expect(await listKeys(store, 'order/')).toEqual(expected)
      },
      without: {
        name: 'declared to list in another order, yields every key exactly once',
        async run(store) {
          await putAll(store, ORDER_KEYS)
          const listed = await listKeys(store, 'order/')
          expect(listed).toHaveLength(ORDER_KEYS.length)
          expect(utf8Order(listed)).toEqual(utf8Order(ORDER_KEYS))
        },
      },
    },
    {
      name: 'takes the prefix as a plain string, not a folder',
      async run(store) {
        await putAll(store, ['p/ab', 'p/a/b', 'p/a.txt', 'p/b', 'pa'])
        expect(await listKeys(store, 'p/a')).toEqual(['p/a.txt', 'p/a/b', 'p/ab'])
        expect(await listKeys(store, 'p/a.txt')).toEqual(['p/a.txt'])
        expect(await listKeys(store, 'p/')).toEqual(['p/a.txt', 'p/a/b', 'p/ab', 'p/b'])
        expect(await listKeys(store, 'p/missing')).toEqual([])
        expect(await listKeys(store, '')).toEqual(['p/a.txt', 'p/a/b', 'p/ab', 'p/b', 'pa'])
      },
    },
    {
      name: 'yields every key of a listing larger than any page, each once, in order',
      async run(store, { largeListingKeys }) {
        const keys = numberedKeys('big/', largeListingKeys)
        await putAll(store, [...keys, 'bif', 'big.txt', 'bigger', 'bih/0'], () => new Uint8Array(0))
        const listed = await listKeys(store, 'big/')
        expect(listed.length).toBe(largeListingKeys)
        expect(listed).toEqual(keys)
      },
    },
    {
      name: 'with a limit, yields at least that many entries, each the next of the full listing',
      async run(store) {
        const keys = numberedKeys('lim/', 12)
        await putAll(store, keys)
        for (const limit of [1, 5, 12, 50]) {
          const seen: string[] = []
          for await (const entry of store.list('lim/', { limit })) {
            seen.push(entry.kind === 'object' ? entry.key : entry.prefix)
            // A caller that stops after `limit` entries, as the engine does.
            if (seen.length === limit) break
          }
          expect(seen).toEqual(keys.slice(0, Math.min(limit, keys.length)))
        }
        // A caller that reads on gets a correct start of the listing, at least `limit` long.
        const all = await listKeys(store, 'lim/', { limit: 5 })
        expect(all.length).toBeGreaterThanOrEqual(5)
        expect(all).toEqual(keys.slice(0, all.length))
      },
    },
    {
      name: 'yields each object with its size',
      async run(store) {
        await store.put('sizes/zero', new Uint8Array(0))
        await store.put('sizes/one', utf8('1'))
        await store.put('sizes/kib', new Uint8Array(1024).fill(7))
        const sizes = Object.fromEntries(
          (await listAll(store, 'sizes/')).map((entry) => [entry.kind === 'object' ? entry.key : entry.prefix, entry.kind === 'object' ? entry.size : -1]),
        )
        expect(sizes).toEqual({ 'sizes/zero': 0, 'sizes/one': 1, 'sizes/kib': 1024 })
      },
    },
    {
      name: 'keeps keys that differ only in Unicode normalisation apart',
      capability: 'distinctUnicodeNormalization',
      async run(store) {
        await store.put(NFC, utf8('nfc'))
        await store.put(NFD, utf8('nfd'))
        expect(await listKeys(store, 'norm/')).toEqual(utf8Order([NFC, NFD]))
        expect(text(await store.get(NFC))).toBe('nfc')
        expect(text(await store.get(NFD))).toBe('nfd')
      },
      without: {
        name: 'without distinct normalisations, an NFC key round-trips, and its NFD twin is refused or never mixes bytes',
        async run(store) {
          await store.put(NFC, utf8('nfc'))
          expect(await listKeys(store, 'norm/')).toEqual([NFC])
          expect(text(await store.get(NFC))).toBe('nfc')
          try {
            await store.put(NFD, utf8('nfd'))
          } catch (error) {
            // Refusing the key that would merge (R2's profile does) is the clear answer.
            expect(error instanceof StorageError && error.code === 'INVALID_ARGUMENT').toBe(true)
            expect(text(await store.get(NFC))).toBe('nfc')
            return
          }
          // Accepted: either one object holding the last bytes, or two objects each with its own.
          const listed = await listKeys(store, 'norm/')
          const bytes = await Promise.all(listed.map(async (key) => text(await store.get(key))))
          if (listed.length === 1) expect(bytes).toEqual(['nfd'])
          else expect(Object.fromEntries(listed.map((key, i) => [key, bytes[i]]))).toEqual({ [NFC]: 'nfc', [NFD]: 'nfd' })
        },
      },
    },
    {
      name: 'with a delimiter, yields the objects and folder prefixes of one level, merged in order',
      capability: 'delimiterListing',
      async run(store) {
        await putTree(store)
        expect(await listKeys(store, 'tree/', { delimiter: '/' })).toEqual([
          'tree/a.txt',
          'tree/b.txt',
          'prefix:tree/b/',
          'tree/c.txt',
          'prefix:tree/c/',
        ])
        // A prefix that is not a folder boundary, and a folder holding only a folder.
        expect(await listKeys(store, 'tree/b', { delimiter: '/' })).toEqual(['tree/b.txt', 'prefix:tree/b/'])
        expect(await listKeys(store, 'tree/c/', { delimiter: '/' })).toEqual(['prefix:tree/c/x/'])
        expect(await listKeys(store, '', { delimiter: '/' })).toEqual(['prefix:tree/', 'treehouse.txt'])
      },
      without: {
        name: 'without delimiter listings, a full listing of the prefix (what the engine falls back to) yields every key',
        async run(store) {
          await putTree(store)
          expect(await listKeys(store, 'tree/')).toEqual(utf8Order(TREE))
        },
      },
    },
  ],
}
