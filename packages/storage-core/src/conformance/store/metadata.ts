import { expect } from '@jest/globals'
import type { ObjectStore } from '../../store/object-store.js'
import { listAll, type StoreCaseGroup, text, utf8 } from './case.js'

const KEY = 'meta/object.bin'
// Lower-case names and ASCII values: S3 folds names to lower case and sends values as headers.
const FIRST = { sha256: 'a'.repeat(64), origin: 'conformance-suite' }
const SECOND = { sha256: 'b'.repeat(64) }

/** Metadata a listing entry carried, when it carried any. */
async function listedMetadata(store: ObjectStore, key: string): Promise<Record<string, string> | undefined> {
  const entry = (await listAll(store, key)).find((e) => e.kind === 'object' && e.key === key)
  if (entry?.kind !== 'object') throw new Error(`${key} is missing from its own listing`)
  return entry.metadata
}

export const metadataGroup: StoreCaseGroup = {
  name: 'metadata',
  cases: [
    {
      name: 'keeps user metadata: head returns exactly what the last put gave',
      capability: 'objectMetadata',
      async run(store) {
        await store.put(KEY, utf8('one'), { metadata: FIRST })
        expect((await store.head(KEY)).metadata).toEqual(FIRST)
        const listed = await listedMetadata(store, KEY)
        if (listed !== undefined) expect(listed).toEqual(FIRST)
        // A replacement carries its own metadata, none of the old object's.
        await store.put(KEY, utf8('two'), { metadata: SECOND })
        expect((await store.head(KEY)).metadata).toEqual(SECOND)
        expect(text(await store.get(KEY))).toBe('two')
      },
      without: {
        name: 'without object metadata, a put with metadata still stores the bytes, and nothing reports other metadata',
        async run(store) {
          await store.put(KEY, utf8('one'), { metadata: FIRST })
          expect(text(await store.get(KEY))).toBe('one')
          const info = await store.head(KEY)
          expect(info.size).toBe(3)
          if (info.metadata !== undefined && Object.keys(info.metadata).length > 0) expect(info.metadata).toEqual(FIRST)
        },
      },
    },
  ],
}
