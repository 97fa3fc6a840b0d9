// A read that races overwrites of the partition it reads: it lists again and returns exactly one
// committed state, and when every attempt is raced it says so with CONFLICT instead of returning
// a partial result, nothing, or a misleading NOT_FOUND.
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

describe('a read racing overwrites', () => {
  it('lists again after an overwrite removed the files it listed, and reads the new state whole', async () => {
    const store = new RacedStore(2)
    await store.writer.write('plays', rowsOf(0), PARTITION)
    const rows = await new ObjectStorage(store).readIndex('plays', PARTITION)
    expect(store.overwrites).toBe(2)
    expect(rows.map((r) => r.set)).toEqual(rowsOf(2).map(() => 2))
    expect(rows).toHaveLength(rowsOf(2).length)
  })

  it('fails with CONFLICT, within a bounded time, when every listing is raced', async () => {
    const store = new RacedStore(Number.POSITIVE_INFINITY)
    await store.writer.write('plays', rowsOf(0), PARTITION)
    const started = Date.now()
    const error = await new ObjectStorage(store).readIndex('plays', PARTITION).then(
      () => undefined,
      (e: unknown) => e,
    )
    const elapsed = Date.now() - started
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).code).toBe('CONFLICT')
    expect((error as StorageError).message).toMatch(/kept changing while it was read \(20 listings/)
    expect((error as StorageError).key).toMatch(/^plays\/season=2024\/week=3\/part-/)
    expect(store.overwrites).toBe(20)
    expect(elapsed).toBeLessThan(15_000)
  }, 30_000)
})
