// How a process keeps its cached table state current: a HEAD of the next version's commit when the
// state was listed within the last hour, a listing of the log after it otherwise or when that
// commit is there. Another writer's commits must always be seen.
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { type ListEntry, type ListOptions, MemoryObjectStore, type ObjectInfo, ObjectStorage } from '../src/index.js'

const LOG = 'plays/_delta_log/'
const commit = (version: number) => `${LOG}${String(version).padStart(20, '0')}.json`

/** A memory store that records each HEAD and LIST of the log. */
class CountingStore extends MemoryObjectStore {
  calls: string[] = []

  override head(key: string): Promise<ObjectInfo> {
    if (key.startsWith(LOG)) this.calls.push(`HEAD ${key}`)
    return super.head(key)
  }

  override list(prefix: string, options: ListOptions = {}): AsyncGenerator<ListEntry> {
    if (prefix.startsWith(LOG)) this.calls.push(`LIST ${prefix}`)
    return super.list(prefix, options)
  }
}

async function keysOf(store: MemoryObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const entry of store.list(prefix)) if (entry.kind === 'object') keys.push(entry.key)
  return keys.sort()
}

const rows = (season: number, n: number) => Array.from({ length: n }, (_, i) => ({ play: i, season }))

afterEach(() => {
  jest.restoreAllMocks()
})

describe('the cached state of a table', () => {
  it('is confirmed by one HEAD of the next commit, with no listing, while nothing came after it', async () => {
    const store = new CountingStore()
    await new ObjectStorage(store).write('plays', rows(2024, 3), { season: 2024 })
    const reader = new ObjectStorage(store)
    expect(await reader.readIndex('plays')).toHaveLength(3)
    store.calls = []
    expect(await reader.readIndex('plays')).toHaveLength(3)
    expect(store.calls).toEqual([`HEAD ${commit(1)}`])
  })

  it('is probed, not listed, on the next write after the write that created the table', async () => {
    const store = new CountingStore()
    const writer = new ObjectStorage(store)
    await writer.write('plays', rows(2024, 3), { season: 2024 })
    store.calls = []
    await writer.write('plays', rows(2023, 2), { season: 2023 })
    expect(store.calls.filter((call) => call.startsWith('LIST'))).toEqual([])
    expect(store.calls[0]).toBe(`HEAD ${commit(1)}`)
    expect(await new ObjectStorage(store).readIndex('plays')).toHaveLength(5)
  })

  it("reads another writer's commits: the HEAD finds the next one, and the log is listed after the cached version", async () => {
    const store = new CountingStore()
    const writer = new ObjectStorage(store)
    await writer.write('plays', rows(2024, 3), { season: 2024 })
    const reader = new ObjectStorage(store)
    expect(await reader.readIndex('plays')).toHaveLength(3)
    await writer.write('plays', rows(2023, 2), { season: 2023 })
    await writer.write('plays', rows(2024, 5), { season: 2024 })
    store.calls = []
    const read = await reader.readIndex('plays')
    expect(read.filter((r) => r.season === 2024)).toHaveLength(5)
    expect(read.filter((r) => r.season === 2023)).toHaveLength(2)
    expect(store.calls).toEqual([`HEAD ${commit(1)}`, `LIST ${LOG}`])
    expect((await reader.schema('plays')).version).toBe(2)
  })

  it("writes after another writer's commit on top of it, not over it", async () => {
    const store = new CountingStore()
    const a = new ObjectStorage(store)
    const b = new ObjectStorage(store)
    await a.write('plays', rows(2024, 3), { season: 2024 })
    await b.write('plays', rows(2023, 2), { season: 2023 })
    await a.write('plays', rows(2022, 1), { season: 2022 })
    const read = await new ObjectStorage(store).readIndex('plays')
    expect(read.map((r) => r.season).sort()).toEqual([2022, 2023, 2023, 2024, 2024, 2024])
  })

  it("refuses an overwrite that another engine's later commit made append-only, and leaves no file behind", async () => {
    const store = new CountingStore()
    const a = new ObjectStorage(store)
    await a.write('plays', rows(2024, 3), { season: 2024 })
    const v0 = JSON.parse(
      new TextDecoder().decode(await store.get(commit(0)))
        .split('\n')
        .find((line) => line.includes('"metaData"'))!,
    )
    v0.metaData.configuration['delta.appendOnly'] = 'true'
    await store.put(commit(1), new TextEncoder().encode(`${JSON.stringify(v0)}\n`), { ifNoneMatch: '*' })
    const before = await keysOf(store, 'plays/')
    await expect(a.write('plays', rows(2024, 4), { season: 2024 }, { overwrite: true })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' })
    expect(await keysOf(store, 'plays/')).toEqual(before)
    expect(await new ObjectStorage(store).readIndex('plays')).toHaveLength(3)
  })

  it('is listed again, not probed, once its last listing is an hour old (other engines clean up old commits)', async () => {
    const store = new CountingStore()
    await new ObjectStorage(store).write('plays', rows(2024, 3), { season: 2024 })
    const reader = new ObjectStorage(store)
    const start = Date.now()
    await reader.readIndex('plays')
    jest.spyOn(Date, 'now').mockReturnValue(start + 59 * 60 * 1000)
    store.calls = []
    await reader.readIndex('plays')
    expect(store.calls).toEqual([`HEAD ${commit(1)}`])
    jest.spyOn(Date, 'now').mockReturnValue(start + 61 * 60 * 1000)
    store.calls = []
    await reader.readIndex('plays')
    expect(store.calls).toEqual([`LIST ${LOG}`])
    // That listing is the new start of the hour.
    store.calls = []
    await reader.readIndex('plays')
    expect(store.calls).toEqual([`HEAD ${commit(1)}`])
  })
})
