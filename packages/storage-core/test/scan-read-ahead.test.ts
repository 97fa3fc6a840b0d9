// A scan opens the next file (its first bytes) while it decodes one, so it does not wait on each
// file's first request in turn; what it reads ahead must still fail in order, and a consumer that
// stops early must not leave an unhandled rejection behind.
import { describe, expect, it } from '@jest/globals'
import type { ByteRange } from '../src/index.js'
import { MemoryObjectStore, ObjectStorage, StorageError } from '../src/index.js'
import { rangedFile } from '../src/ranged-file.js'

/** A store that records every data-file read, in the order they start. */
class RecordingStore extends MemoryObjectStore {
  readonly reads: string[] = []
  failOn: string | undefined

  override async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    const week = /week=(\d+)\/part-/.exec(key)?.[1]
    if (week !== undefined) {
      this.reads.push(`week ${week}`)
      if (this.failOn === `week ${week}`) throw new StorageError('UNAVAILABLE', `${key}: injected failure`, { key })
    }
    return super.get(key, range)
  }
}

async function dataset(weeks: number) {
  const store = new RecordingStore()
  const storage = new ObjectStorage(store)
  for (let week = 1; week <= weeks; week++) {
    await storage.write('plays', Array.from({ length: 50 }, (_, i) => ({ week_row: i, yards: week * 100 + i })), { season: 2024, week })
  }
  return { store, storage }
}

describe('scan reads ahead', () => {
  it("has the next file's first read under way when it hands over the current file's rows", async () => {
    const { store, storage } = await dataset(4)
    const scan = storage.scan('plays', undefined, { batchSize: 50 })
    const first = await scan.next()
    expect((first.value as unknown[]).length).toBe(50)
    expect(store.reads).toEqual(['week 1', 'week 2'])
    const rest = []
    for await (const batch of { [Symbol.asyncIterator]: () => scan }) rest.push(...batch)
    expect(rest).toHaveLength(150)
    expect(store.reads).toEqual(['week 1', 'week 2', 'week 3', 'week 4'])
  })

  it('fails at the file whose read failed, after the rows before it, even when that read ran ahead', async () => {
    const { store, storage } = await dataset(3)
    store.failOn = 'week 2'
    const seen: number[] = []
    const error = await (async () => {
      for await (const batch of storage.scan('plays', undefined, { batchSize: 50 })) seen.push(...batch.map((r) => Number(r.week)))
    })().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(seen).toEqual(Array.from({ length: 50 }, () => 1))
    expect((error as StorageError).code).toBe('UNAVAILABLE')
  })

  it('leaves no unhandled rejection when the consumer stops before a failed read-ahead', async () => {
    const { store, storage } = await dataset(3)
    store.failOn = 'week 2'
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      for await (const _batch of storage.scan('plays', undefined, { batchSize: 50 })) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(store.reads).toContain('week 2')
    expect(unhandled).toEqual([])
  })
})

describe('rangedFile', () => {
  it('serves a slice from a prefetched range once, and reads anew outside it', async () => {
    const store = new RecordingStore()
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
    await store.put('plays/season=2024/week=9/part-x.parquet', bytes)
    const file = rangedFile(store, 'plays/season=2024/week=9/part-x.parquet', bytes.length)
    file.prefetch(100, 400)
    expect(store.reads).toHaveLength(1)
    expect([...new Uint8Array(await file.slice(150, 160))]).toEqual([...bytes.subarray(150, 160)])
    expect(store.reads).toHaveLength(1)
    // Used once: the same range again is a new read (the first read is the one kept, for footers).
    expect([...new Uint8Array(await file.slice(150, 160))]).toEqual([...bytes.subarray(150, 160)])
    expect(store.reads).toHaveLength(2)
    expect([...new Uint8Array(await file.slice(155, 158))]).toEqual([...bytes.subarray(155, 158)])
    expect(store.reads).toHaveLength(2)
  })
})
