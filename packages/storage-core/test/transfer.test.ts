import { describe, expect, it } from '@jest/globals'
import { formatGroup, MemoryObjectStore, migrate, verify } from '../src/index.js'
import { SHA256_METADATA, sha256Hex } from '../src/transfer/digest.js'

const bytes = (text: string) => new TextEncoder().encode(text)

async function seeded(): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore()
  for (let i = 0; i < 30; i++) await store.put(`raw/games/${i}.json`, bytes(`game ${i}`))
  for (let i = 0; i < 12; i++) await store.put(`processed/plays/${i}.parquet`, bytes(`plays ${i}`))
  return store
}

describe('migrate', () => {
  it('copies everything missing with its sha256 as metadata, then nothing on a rerun', async () => {
    const from = await seeded()
    const to = new MemoryObjectStore()
    const first = await migrate(from, to, { concurrency: 4 })
    expect(first.copied).toHaveLength(42)
    expect(first.bytesCopied).toBe([...Array(30).keys()].reduce((s, i) => s + `game ${i}`.length, 0) + [...Array(12).keys()].reduce((s, i) => s + `plays ${i}`.length, 0))
    expect((await to.head('raw/games/3.json')).metadata?.[SHA256_METADATA]).toBe(sha256Hex(bytes('game 3')))
    const second = await migrate(from, to)
    expect(second.copied).toEqual([])
    expect(second.skipped).toBe(42)
  })

  it('copies an object whose content differs at the same size', async () => {
    const from = await seeded()
    const to = new MemoryObjectStore()
    await migrate(from, to)
    await to.put('raw/games/7.json', bytes('gamX 7'))
    expect((await migrate(from, to, { checksum: 'download' })).copied).toEqual(['raw/games/7.json'])
    expect(new TextDecoder().decode(await to.get('raw/games/7.json'))).toBe('game 7')
  })

  it('writes nothing on a dry run, and deletes extras only when asked', async () => {
    const from = await seeded()
    const to = new MemoryObjectStore()
    await to.put('raw/stale.json', bytes('old'))
    const planned = await migrate(from, to, { dryRun: true, deleteExtra: true })
    expect(planned.copied).toHaveLength(42)
    expect(planned.deleted).toEqual(['raw/stale.json'])
    const keys: string[] = []
    for await (const entry of to.list('')) if (entry.kind === 'object') keys.push(entry.key)
    expect(keys).toEqual(['raw/stale.json'])
    await migrate(from, to, { prefixes: ['processed/'] })
    expect((await verify(from, to, { prefixes: ['processed/'] })).ok).toBe(true)
    await migrate(from, to, { deleteExtra: true })
    await expect(to.head('raw/stale.json')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('copies while the source is still listed, then reports the copying with the whole total', async () => {
    const from = await seeded()
    // A listing that pauses between keys, as a slow disk or a paged remote listing does.
    const slow = Object.create(from) as MemoryObjectStore
    slow.list = async function* (prefix, options) {
      for await (const entry of from.list(prefix, options)) {
        await new Promise((resolve) => setTimeout(resolve, 2))
        yield entry
      }
    }
    const seen: { phase: string; done: number; total: number }[] = []
    const result = await migrate(slow, new MemoryObjectStore(), {
      concurrency: 2,
      onProgress: ({ phase, done, total }) => seen.push({ phase, done, total }),
    })
    expect(result.copied).toHaveLength(42)
    const firstCopying = seen.findIndex((p) => p.phase === 'copying')
    // Copies landed before the listing ended, reported as listing progress without a final total.
    expect(seen.slice(0, firstCopying).some((p) => p.phase === 'listing' && p.done > 0)).toBe(true)
    // From the first 'copying' report on, the total is every object.
    expect(seen.slice(firstCopying).filter((p) => p.phase === 'copying').every((p) => p.total === 42)).toBe(true)
  })

  it('refuses a concurrency outside 1..256', async () => {
    await expect(migrate(new MemoryObjectStore(), new MemoryObjectStore(), { concurrency: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
  })
})

describe('verify', () => {
  it('counts per top-level prefix and marks every difference as rclone check --combined does', async () => {
    const from = await seeded()
    const to = new MemoryObjectStore()
    await migrate(from, to)
    expect((await verify(from, to)).groups.map(formatGroup)).toEqual([
      'processed: source=12, dest=12, missing=0, extra=0, differ=0',
      'raw: source=30, dest=30, missing=0, extra=0, differ=0',
    ])
    await to.put('raw/games/1.json', bytes('tampered'))
    await to.delete(['raw/games/2.json'])
    await to.put('processed/extra.bin', bytes('x'))
    for (const checksum of ['metadata', 'download'] as const) {
      const result = await verify(from, to, { checksum })
      expect(result.ok).toBe(false)
      expect(result.groups.map(formatGroup)).toEqual([
        'processed: source=12, dest=13, missing=0, extra=1, differ=0',
        'raw: source=30, dest=29, missing=1, extra=0, differ=1',
      ])
      expect(result.differences).toEqual([
        { mark: '-', key: 'processed/extra.bin' },
        { mark: '*', key: 'raw/games/1.json' },
        { mark: '+', key: 'raw/games/2.json' },
      ])
    }
  })

  it('catches same-size tampering by metadata only when the metadata was kept honest', async () => {
    const from = await seeded()
    const to = new MemoryObjectStore()
    await migrate(from, to)
    // Same size, new bytes, and a write that refreshed the stored checksum: still a difference.
    await to.put('raw/games/5.json', bytes('gamX 5'), { metadata: { [SHA256_METADATA]: sha256Hex(bytes('gamX 5')) } })
    expect((await verify(from, to)).differences).toEqual([{ mark: '*', key: 'raw/games/5.json' }])
  })
})

describe('mapConcurrent', () => {
  it('starts nothing after the first failure and rejects once the calls in flight settle', async () => {
    const { mapConcurrent } = await import('../src/index.js')
    const started: number[] = []
    let inFlight = 0
    let settledBeforeReject = true
    const failing = mapConcurrent(Array.from({ length: 40 }, (_, i) => i), 2, async (i) => {
      started.push(i)
      inFlight++
      await new Promise((resolve) => setTimeout(resolve, i === 0 ? 1 : 10))
      inFlight--
      if (i === 0) throw new Error('boom')
      return i
    })
    await expect(failing).rejects.toThrow('boom')
    if (inFlight !== 0) settledBeforeReject = false
    expect(settledBeforeReject).toBe(true)
    expect(started).toEqual([0, 1])
  })
})
