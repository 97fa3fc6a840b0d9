import { expect } from '@jest/globals'
import type { ObjectInfo } from '../../store/object-store.js'
import { expectCode, listAll, rejection, type StoreCaseGroup, text, utf8 } from './case.js'

const SIZES: Record<string, number> = { 'info/zero': 0, 'info/one': 1, 'info/kib': 1024, 'info/odd': 1000 }

export const headGroup: StoreCaseGroup = {
  name: 'head',
  cases: [
    {
      name: 'fails with NOT_FOUND for a missing key and for a folder-like prefix of a key',
      async run(store) {
        await store.put('info/dir/file', utf8('x'))
        expectCode(await rejection(store.head('info/missing'), 'head of a missing key'), 'NOT_FOUND', 'head of a missing key')
        expectCode(await rejection(store.head('info/dir'), 'head of a folder'), 'NOT_FOUND', 'head of a folder-like prefix')
        expect((await store.head('info/dir/file')).key).toBe('info/dir/file')
      },
    },
    {
      name: 'head and list agree with the bytes on size, and with each other on etag',
      async run(store) {
        for (const [key, size] of Object.entries(SIZES)) await store.put(key, new Uint8Array(size).fill(size % 251))
        const heads = new Map<string, ObjectInfo>()
        for (const key of Object.keys(SIZES)) {
          const info = await store.head(key)
          expect({ key: info.key, size: info.size }).toEqual({ key, size: SIZES[key] })
          if (info.lastModified !== undefined) expect(Number.isNaN(info.lastModified.getTime())).toBe(false)
          heads.set(key, info)
        }
        const listed = await listAll(store, 'info/')
        expect(listed.map((e) => (e.kind === 'object' ? [e.key, e.size] : [e.prefix, -1]))).toEqual(
          Object.keys(SIZES)
            .sort()
            .map((key) => [key, SIZES[key]]),
        )
        for (const entry of listed) {
          const head = entry.kind === 'object' ? heads.get(entry.key) : undefined
          if (entry.kind === 'object' && entry.etag !== undefined && head?.etag !== undefined) expect(entry.etag).toBe(head.etag)
        }
      },
    },
    {
      name: 'a put the caller may block on (mayBlock) stores and replaces the same bytes as any other put',
      async run(store) {
        const key = 'info/blocking'
        // Past the size a local store writes in place unasked (64 KiB), and a byte.
        for (const size of [200 * 1024 + 3, 1]) {
          const bytes = new Uint8Array(size).map((_, i) => (i * 7 + size) % 256)
          await store.put(key, bytes, { mayBlock: true })
          expect(Buffer.from(await store.get(key)).equals(Buffer.from(bytes))).toBe(true)
          expect((await store.head(key)).size).toBe(size)
        }
        expect((await listAll(store, 'info/')).map((e) => (e.kind === 'object' ? e.key : e.prefix))).toEqual([key])
      },
    },
    {
      name: 'an overwrite is seen at once by get, ranged get, head and list',
      async run(store) {
        const key = 'info/versioned'
        await store.put(key, utf8('first version'))
        expect(text(await store.get(key))).toBe('first version')
        expect(text(await store.get(key, { start: 0, end: 5 }))).toBe('first')
        const before = await store.head(key)
        await store.put(key, utf8('second, longer version'))
        expect(text(await store.get(key))).toBe('second, longer version')
        expect(text(await store.get(key, { start: 0, end: 6 }))).toBe('second')
        const after = await store.head(key)
        expect(after.size).toBe(22)
        if (before.etag !== undefined && after.etag !== undefined) expect(after.etag).not.toBe(before.etag)
        const listed = (await listAll(store, key)).find((e) => e.kind === 'object' && e.key === key)
        expect(listed && listed.kind === 'object' ? listed.size : undefined).toBe(22)
      },
    },
    {
      name: 'root() and fullPath(key) name the store and the key',
      async run(store) {
        const root = store.root()
        const full = store.fullPath('info/a b.txt')
        expect(typeof root).toBe('string')
        expect(full.startsWith(root)).toBe(true)
        expect(full.endsWith('info/a b.txt')).toBe(true)
      },
    },
  ],
}
