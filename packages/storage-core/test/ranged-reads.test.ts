import { markAsUntransferable } from 'node:worker_threads'
import { describe, expect, it } from '@jest/globals'
import type { ByteRange } from '../src/store/object-store.js'
import { ObjectStorage } from '../src/facade/object-storage.js'
import { MemoryObjectStore } from '../src/store/memory-object-store.js'

/** A memory store that records every ranged read of a data file. */
class RecordingStore extends MemoryObjectStore {
  reads: { key: string; start: number; end: number }[] = []
  override async get(key: string, range: ByteRange = {}): Promise<Uint8Array> {
    const bytes = await super.get(key, range)
    if (key.endsWith('.parquet')) this.reads.push({ key, start: range.start ?? 0, end: (range.start ?? 0) + bytes.length })
    return bytes
  }
}

const decoder = new TextDecoder()

/** A table of one file well over 64 KiB: random floats do not compress. */
async function bigTable() {
  const store = new RecordingStore()
  const storage = new ObjectStorage(store)
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, a: Math.sin(i) * 1e6, small: i % 3, b: Math.cos(i) * 1e6 }))
  await storage.write('t', rows, {})
  const log = decoder.decode(await store.get('t/_delta_log/00000000000000000000.json'))
  const add = log
    .split('\n')
    .filter((line) => line.includes('"add"'))
    .map((line) => JSON.parse(line).add)[0]
  const file = await store.get(`t/${add.path}`)
  const footer = new DataView(file.buffer, file.byteOffset + file.length - 8, 4).getUint32(0, true) + 8
  store.reads = []
  return { store, storage, rows, add, size: file.length, footer }
}

describe('ranged reads of data files', () => {
  it('refuse columns given where the read options go', async () => {
    const storage = new ObjectStorage(new MemoryObjectStore())
    await storage.write('t', [{ id: 1 }], {})
    for (const options of [['id'], null, 'id']) {
      await expect(storage.readIndex('t', {}, options as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
  })

  it('record each file footer length in the log, and read exactly that footer', async () => {
    const { store, storage, rows, add, size, footer } = await bigTable()
    expect(size).toBeGreaterThan(64 * 1024)
    expect(add.tags).toEqual({ 'cfb.footerLength': String(footer) })
    const read = await storage.readIndex('t', {}, { columns: ['a'] })
    expect(read.map((r) => r.a)).toEqual(rows.map((r) => r.a))
    expect(store.reads[0]).toMatchObject({ start: size - footer, end: size })
  })

  it("give a row group's bytes back once a scan has read it, and keep the footer's", async () => {
    const { store, storage, rows, size, footer } = await bigTable()
    const given: Uint8Array[] = []
    const get = store.get.bind(store)
    store.get = async (key, range) => {
      const bytes = await get(key, range)
      if (key.endsWith('.parquet')) given.push(bytes)
      return bytes
    }
    const read: unknown[] = []
    for await (const batch of storage.scan('t', {}, { columns: ['a', 'b'] })) read.push(...batch.map((r) => r.a))
    expect(read).toEqual(rows.map((r) => r.a))
    expect(store.reads.map((r) => r.end - r.start)).toEqual([footer, expect.any(Number)])
    expect(store.reads[1]!.end - store.reads[1]!.start).toBeGreaterThan(64 * 1024)
    // Detached: the memory is gone at once, not at V8's next full collection.
    expect(given.map((bytes) => bytes.byteLength)).toEqual([footer, 0])
    expect(size).toBeGreaterThan(footer)
  })

  it('read whole when the store hands out buffers that cannot be transferred', async () => {
    const { store, storage, rows } = await bigTable()
    const get = store.get.bind(store)
    store.get = async (key, range) => {
      const bytes = await get(key, range)
      markAsUntransferable(bytes.buffer)
      return bytes
    }
    const read: unknown[] = []
    for await (const batch of storage.scan('t', {}, { columns: ['b'] })) read.push(...batch.map((r) => r.b))
    expect(read).toEqual(rows.map((r) => r.b))
  })

  it('keep the footer length through a checkpoint', async () => {
    const { store, storage, size, footer } = await bigTable()
    for (let i = 0; i < 10; i++) await storage.write('t', [{ id: -1 - i, a: 0.5, small: 0, b: 0.5 }], {}, { overwrite: false })
    await store.head('t/_delta_log/00000000000000000010.checkpoint.parquet')
    store.reads = []
    const fresh = new ObjectStorage(store)
    expect(await fresh.readIndex('t', {}, { columns: ['id'] })).toHaveLength(20_010)
    const big = store.reads.filter((r) => r.end === size)
    expect(big[0]).toMatchObject({ start: size - footer })
  })

  it('fetch column chunks close together in one read', async () => {
    const { store, storage, rows } = await bigTable()
    // `small` (a few hundred bytes) lies between `a` and `b`: one read takes all three.
    const read = await storage.readIndex('t', {}, { columns: ['a', 'b'] })
    expect(read).toEqual(rows.map((r) => ({ a: r.a, b: r.b })))
    expect(store.reads).toHaveLength(2)
  })

  it('read right whatever footer length the log claims', async () => {
    for (const claimed of ['12', '999999999', 'x', '-5']) {
      const { store, storage, rows, add } = await bigTable()
      // Another writer's (or a hand-edited) log: the tag is a hint, never trusted for the answer.
      const key = 't/_delta_log/00000000000000000001.json'
      const remove = { remove: { path: add.path, deletionTimestamp: Date.now(), dataChange: true } }
      const again = { add: { ...add, tags: { 'cfb.footerLength': claimed } } }
      await store.put(key, new TextEncoder().encode(`${JSON.stringify(remove)}\n${JSON.stringify(again)}\n`))
      const read = await storage.readIndex('t', {}, { columns: ['id'] })
      expect(read.map((r) => r.id)).toEqual(rows.map((r) => r.id))
    }
  })
})
