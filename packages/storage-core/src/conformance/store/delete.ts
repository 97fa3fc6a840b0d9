import { expect } from '@jest/globals'
import { listKeys, numberedKeys, putAll, type StoreCaseGroup } from './case.js'

/** More keys than any service deletes in one request (S3: 1,000; R2: 700). */
export const LARGE_DELETE = 1_100

const NEIGHBOURS = ['del/a', 'del/a-b', 'del/a.txt', 'del/ab', 'del/b', 'del/dir/a', 'del/dir/b']

export const deleteGroup: StoreCaseGroup = {
  name: 'delete',
  cases: [
    {
      name: "removes exactly the keys asked, never a prefix's neighbours or a folder's contents",
      async run(store) {
        await putAll(store, NEIGHBOURS)
        await store.delete(['del/a'])
        expect(await listKeys(store, 'del/')).toEqual(NEIGHBOURS.filter((key) => key !== 'del/a'))
        // A folder-like prefix is not a key: deleting it removes nothing.
        await store.delete(['del/dir', 'del/dir/'])
        expect(await listKeys(store, 'del/dir/')).toEqual(['del/dir/a', 'del/dir/b'])
        await store.delete(['del/dir/a', 'del/ab'])
        expect(await listKeys(store, 'del/')).toEqual(['del/a-b', 'del/a.txt', 'del/b', 'del/dir/b'])
      },
    },
    {
      name: 'deleting missing keys is not an error; a mix removes those that exist; an empty list does nothing',
      async run(store) {
        await putAll(store, ['gone/x', 'gone/y'])
        await store.delete(['gone/never'])
        await store.delete(['gone/nothing/here', 'gone/x', 'gone/x'])
        await store.delete([])
        expect(await listKeys(store, 'gone/')).toEqual(['gone/y'])
      },
    },
    {
      name: `deletes in one call ${LARGE_DELETE.toLocaleString('en')} keys, past every service's batch limit, most of them missing`,
      async run(store) {
        const keys = numberedKeys('many/', LARGE_DELETE)
        // Every 50th key exists, so each batch a store might cut the call into (700 on R2, 1,000
        // on S3, or any other size) holds objects and missing keys alike.
        const existing = keys.filter((_, i) => i % 50 === 0 || i === LARGE_DELETE - 1)
        await putAll(store, [...existing, 'many-keep', 'manx'], () => new Uint8Array(0))
        await store.delete(keys)
        expect(await listKeys(store, 'many/')).toEqual([])
        expect(await listKeys(store, 'man')).toEqual(['manx', 'many-keep'])
      },
    },
  ],
}
