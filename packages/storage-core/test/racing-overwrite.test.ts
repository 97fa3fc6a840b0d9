// Reads racing overwrites of the partition they read. A read takes one snapshot; when an overwrite
// deletes a file of it mid-read, readIndex reads the newer version once, whole, and a scan (whose
// rows are already out) says CONFLICT naming the table option that keeps replaced files. With that
// option on, the snapshot's files stay, and every read returns exactly one version's rows.
import { describe, expect, it } from '@jest/globals'
import type { ByteRange } from '../src/index.js'
import { MemoryObjectStore, ObjectStorage, StorageError } from '../src/index.js'

const PARTITION = { season: 2024, week: 3 }
const rowsOf = (set: number) => Array.from({ length: 3 + set }, (_, i) => ({ set, i }))

/** A store on which another writer overwrites the partition just before each of the first `races` data-file reads. */
class RacedStore extends MemoryObjectStore {
  readonly writer = new ObjectStorage(this)
  overwrites = 0

  constructor(private readonly races: number) {
    super()
  }

  override async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    if (/\/part-[^/]+\.parquet$/.test(key) && this.overwrites < this.races) {
      this.overwrites++
      await this.writer.write('plays', rowsOf(this.overwrites), PARTITION)
    }
    return super.get(key, range)
  }
}

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(StorageError)
  return error as StorageError
}

describe('a read racing overwrites', () => {
  it('reads the newer version whole when an overwrite removed a file of its snapshot', async () => {
    const store = new RacedStore(1)
    await store.writer.write('plays', rowsOf(0), PARTITION)
    const rows = await new ObjectStorage(store).readIndex('plays', PARTITION)
    expect(store.overwrites).toBe(1)
    expect(rows.map((r) => r.set)).toEqual(rowsOf(1).map(() => 1))
  })

  it('fails with CONFLICT naming keepRemovedFilesMs when the newer version is raced too', async () => {
    const store = new RacedStore(Number.POSITIVE_INFINITY)
    await store.writer.write('plays', rowsOf(0), PARTITION)
    const error = await failure(new ObjectStorage(store).readIndex('plays', PARTITION))
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toMatch(/keepRemovedFilesMs/)
    expect(error.key).toMatch(/^plays\/season=2024\/week=3\/part-/)
    // One read of the snapshot, one of the version after it: no loop of re-listings.
    expect(store.overwrites).toBe(2)
  })

  it('a scan whose file an overwrite removed says CONFLICT, naming the option', async () => {
    const store = new RacedStore(1)
    await store.writer.write('plays', rowsOf(0), PARTITION)
    const scan = (async () => {
      for await (const _ of new ObjectStorage(store).scan('plays')) {
        // drain
      }
    })()
    const error = await failure(scan)
    expect(error.code).toBe('CONFLICT')
    expect(error.message).toMatch(/keepRemovedFilesMs/)
  })

  it('with keepRemovedFilesMs, raced reads and scans return exactly the version they started on', async () => {
    const store = new RacedStore(Number.POSITIVE_INFINITY)
    await store.writer.createTable('plays', {
      schema: { columns: [{ name: 'set', type: 'int' }, { name: 'i', type: 'int' }, { name: 'season', type: 'int' }, { name: 'week', type: 'int' }] },
      partitionBy: ['season', 'week'],
      keepRemovedFilesMs: 60_000,
    })
    await store.writer.write('plays', rowsOf(0), PARTITION)
    const reader = new ObjectStorage(store)
    const rows = await reader.readIndex('plays', PARTITION)
    expect(new Set(rows.map((r) => r.set)).size).toBe(1)
    expect(rows).toHaveLength(rowsOf(rows[0]!.set as number).length)
    const scanned: number[] = []
    for await (const batch of reader.scan('plays')) for (const row of batch) scanned.push(row.set as number)
    expect(new Set(scanned).size).toBe(1)
    expect(scanned).toHaveLength(rowsOf(scanned[0]!).length)
    // The replaced versions are still there to read: time travel.
    const history = await reader.history('plays')
    const first = history.find((h) => h.rowsAdded === 3)!
    expect((await reader.readIndex('plays', {}, { version: first.version })).map((r) => r.set)).toEqual([0, 0, 0])
  })
})
