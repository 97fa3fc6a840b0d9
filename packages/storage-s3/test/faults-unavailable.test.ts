import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type FaultKind, type FaultProxy, type FaultProxyOptions, startFaultProxy } from '@cfb/test-servers'
import { migrate, type Row, StorageError, verify } from '@cfb/storage-core'
import type { S3Storage, S3StorageOptions } from '../src/index.js'
import { plays } from './support/fault-cycle.js'
import { useS3Server } from './support/s3-server.js'

// When the network fails for good, every operation must end with UNAVAILABLE in a time it states,
// and a failure part-way must never pass for success.

const COPY_BUCKET = 'cfb-faults-unavailable-copy'
const PREFIX = 'steady'
const BOUNDED = { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 }
// Worst case of one operation: 3 attempts of 2 s silence each, or SlowDown backoffs (up to 1 s,
// then 2 s), plus slack for a loaded machine.
const BOUND_MS = BOUNDED.maxAttempts * BOUNDED.requestTimeoutMs + 4_000
const UNANSWERED: Partial<Record<FaultKind, number>> = { internalError: 1, slowDown: 1 }

const s3 = useS3Server('fauxqs')
const open: S3Storage[] = []
const proxies: FaultProxy[] = []
/** A fault-free backend on the server itself. */
let direct: S3Storage
let directCopy: S3Storage
let dataFile = ''
let before: Row[] = []

async function faultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = await startFaultProxy(s3.server.endpoint, { rate: 1, ...options })
  proxies.push(proxy)
  return proxy
}

function through(proxy: FaultProxy, options: Partial<S3StorageOptions> = {}): S3Storage {
  const storage = s3.storage({ endpoint: proxy.endpoint, prefix: PREFIX, ...BOUNDED, ...options })
  open.push(storage)
  return storage
}

/** Settles `action` and returns its `StorageError` (failing the test if it succeeded) and how long it took. */
async function failure(action: () => Promise<unknown>): Promise<{ error: StorageError; ms: number }> {
  const started = Date.now()
  const error = await action().then(
    () => undefined,
    (e: unknown) => e,
  )
  const ms = Date.now() - started
  expect(error).toBeInstanceOf(StorageError)
  return { error: error as StorageError, ms }
}

/** The bound an UNAVAILABLE message states, checked against the time it really took. */
function expectStatedBound(operation: string, error: StorageError, ms: number, attempts: { min: number; max: number }) {
  expect({ operation, code: error.code }).toEqual({ operation, code: 'UNAVAILABLE' })
  const stated = /after (\d+) attempts in (\d+\.\d) s/.exec(error.message)
  expect({ operation, message: error.message, stated: stated !== null }).toMatchObject({ operation, stated: true })
  const [count, seconds] = [Number(stated![1]), Number(stated![2]) * 1000]
  expect(count).toBeGreaterThanOrEqual(attempts.min)
  expect(count).toBeLessThanOrEqual(attempts.max)
  expect(seconds).toBeLessThanOrEqual(ms + 100)
  expect(ms - seconds).toBeLessThan(1_000)
  expect(ms).toBeLessThan(BOUND_MS)
}

const decoded = (url: string) => decodeURIComponent(url)

beforeAll(async () => {
  await s3.server.createBucket(COPY_BUCKET)
  direct = s3.storage({ prefix: PREFIX })
  directCopy = s3.storage({ prefix: PREFIX, bucket: COPY_BUCKET })
  for (const week of [1, 2, 3]) await direct.write('plays', plays(2024, week, 1), { season: 2024, week })
  dataFile = (await direct.listFiles('plays/season=2024/week=1/')).find((key) => key.endsWith('.parquet'))!
  before = await direct.readIndex('plays')
})
afterAll(async () => {
  for (const storage of open) storage.close()
  await Promise.all(proxies.map((proxy) => proxy.stop()))
})

/** Nothing a failed operation began may show: the source reads as before and the copy is empty. */
async function expectUnchanged() {
  expect(await direct.readIndex('plays')).toEqual(before)
  expect(await directCopy.listFiles()).toEqual([])
}

describe('at 100% faults, operations fail with UNAVAILABLE within the bound they state', () => {
  it.each([
    ['500 InternalError and 503 SlowDown answers', UNANSWERED, 3],
    ['resets before and inside answers, and cut bodies', { resetBeforeResponse: 1, resetMidBody: 1, truncatedBody: 1 }, 5],
    ['a server that never answers', { blackHole: 1 }, 3],
  ] as const)('%s', async (name, mix, maxAttempts) => {
    const proxy = await faultProxy({ mix, seed: 11 })
    const storage = through(proxy)
    const copy = through(proxy, { bucket: COPY_BUCKET })
    const operations: Record<string, () => Promise<unknown>> = {
      write: () => storage.write('plays', plays(2024, 1, 2), { season: 2024, week: 1 }),
      append: () => storage.write('plays', plays(2024, 2, 3), { season: 2024, week: 2 }, { overwrite: false }),
      readIndex: () => storage.readIndex('plays', { season: 2024 }),
      listFiles: () => storage.listFiles(),
      readBytes: () => storage.readBytes(dataFile),
      migrate: () => migrate(storage.store, copy.store),
    }
    const names = Object.keys(operations)
    const outcomes = await Promise.all(Object.values(operations).map((operation) => failure(operation)))
    console.info(`${name}: ${outcomes.map(({ ms }, i) => `${names[i]} ${ms} ms`).join(', ')}`)
    for (const [i, { error, ms }] of outcomes.entries()) {
      // A body cut after good headers is retried by the store, on top of the SDK's header retries.
      expectStatedBound(names[i]!, error, ms, { min: BOUNDED.maxAttempts, max: maxAttempts })
    }
    await expectUnchanged()
  }, 30_000)
})

describe('a failure part-way is never reported as success', () => {
  it('a read whose data GETs of one partition fail throws; it never returns the other rows', async () => {
    const proxy = await faultProxy({
      mix: UNANSWERED,
      eligible: ({ method, url }) => method === 'GET' && decoded(url).includes('week=3/part-'),
    })
    const { error } = await failure(() => through(proxy).readIndex('plays'))
    expect(error.code).toBe('UNAVAILABLE')
    expect(error.key).toMatch(/^plays\/season=2024\/week=3\/part-/)
    expect(proxy.counts.forwarded).toBeGreaterThan(0)
  })

  it('a write whose version file cannot be stored throws, and readers still see the old rows', async () => {
    const proxy = await faultProxy({
      mix: UNANSWERED,
      eligible: ({ method, url }) => method === 'PUT' && decoded(url).includes('/_delta_log/'),
    })
    const { error } = await failure(() => through(proxy).write('plays', plays(2024, 2, 2), { season: 2024, week: 2 }))
    expect(error.code).toBe('UNAVAILABLE')
    // Its data file did land; in no version it is invisible, and vacuum's to remove.
    expect((await direct.listFiles('plays/season=2024/week=2/')).filter((k) => k.endsWith('.parquet'))).toHaveLength(2)
    await expectUnchanged()
  })

  it('a write whose version file landed but whose every answer was lost throws, and reads as exactly the new state', async () => {
    const proxy = await faultProxy({
      mix: { resetBeforeResponse: 1 },
      eligible: ({ method, url }) => method === 'PUT' && decoded(url).includes('/_delta_log/'),
    })
    const { error } = await failure(() => through(proxy).write('plays', plays(2024, 3, 2), { season: 2024, week: 3 }))
    expect(error.code).toBe('UNAVAILABLE')
    // Each retry re-put the same version file: one committed state, never a mix of old and new rows.
    const rows = await direct.readIndex('plays', { season: 2024, week: 3 })
    expect(rows).toEqual(plays(2024, 3, 2).map((row) => ({ ...row, season: 2024, week: 3 })))
    await direct.write('plays', plays(2024, 3, 1), { season: 2024, week: 3 })
    await expectUnchanged()
  })

  it('a migrate whose copies cannot be stored throws, and verify reports the copy incomplete', async () => {
    const proxy = await faultProxy({ mix: UNANSWERED, eligible: ({ method }) => method === 'PUT' })
    // One copy at a time: core's mapConcurrent lets sibling copies run on after the first failure.
    const { error } = await failure(() => migrate(direct.store, through(proxy, { bucket: COPY_BUCKET }).store, { concurrency: 1 }))
    expect(error.code).toBe('UNAVAILABLE')
    const check = await verify(direct.store, directCopy.store)
    expect(check.ok).toBe(false)
    expect(check.differences.every((d) => d.mark === '+')).toBe(true)
  })
})

describe('a GET whose body breaks after good headers is retried by the store', () => {
  it.each(['truncatedBody', 'resetMidBody'] as const)('%s twice, then the exact bytes', async (kind) => {
    let faults = 0
    const proxy = await faultProxy({
      mix: { [kind]: 1 },
      eligible: ({ method, url }) => method === 'GET' && !url.includes('list-type') && faults++ < 2,
    })
    const expected = await direct.readBytes(dataFile)
    expect(await through(proxy).readBytes(dataFile)).toEqual(expected)
    expect(await through(proxy).readBytes(dataFile, { start: 4, end: 200 })).toEqual(expected.slice(4, 200))
    expect(proxy.counts[kind]).toBe(2)
    expect(proxy.counts.forwarded).toBe(4)
  })
})
