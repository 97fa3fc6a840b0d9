import { afterAll, describe, expect, it } from '@jest/globals'
import { type FaultProxy, type FaultProxyOptions, logVersions, startFaultProxy } from '@cfb/test-servers'
import { type Row, StorageError } from '@cfb/storage-core'
import type { S3Storage } from '../src/index.js'
import { useS3Server } from './support/s3-server.js'

// Commits through a faulty network, on moto (which enforces `If-None-Match: *`, as S3 does). A
// version PUT whose answer was lost is retried; the retry meets the version file already there (412)
// and the writer reads it back: its own bytes mean its own commit, applied once. Under random faults
// every write lands whole or fails with a typed error, never half.

const s3 = useS3Server('moto')
const open: S3Storage[] = []
const proxies: FaultProxy[] = []
afterAll(async () => {
  for (const storage of open) storage.close()
  await Promise.all(proxies.map((proxy) => proxy.stop()))
})

async function faultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = await startFaultProxy(s3.server.endpoint, { rate: 1, ...options })
  proxies.push(proxy)
  return proxy
}

function through(proxy: FaultProxy, prefix: string): S3Storage {
  const storage = s3.storage({ endpoint: proxy.endpoint, prefix, maxAttempts: 4, connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 })
  open.push(storage)
  return storage
}

function direct(prefix: string): S3Storage {
  const storage = s3.storage({ prefix })
  open.push(storage)
  return storage
}

const isVersionFile = (url: string) => /\/_delta_log\/\d{20}\.json(\?|$)/.test(decodeURIComponent(url))
const batch = (n: number, count = 3): Row[] => Array.from({ length: count }, (_, i) => ({ batch: n, i }))
const PARTITION = { season: 2024 }

describe('a version PUT whose answer was lost', () => {
  it.each([
    ['an append', false],
    ['an overwrite', true],
  ] as const)('%s: the retry meets its own version file (412), recognises it and commits once', async (_, overwrite) => {
    const prefix = `lost-answer-${overwrite ? 'overwrite' : 'append'}`
    await direct(prefix).write('plays', batch(0), PARTITION)
    let lost = 0
    const proxy = await faultProxy({
      mix: { resetBeforeResponse: 1 },
      // Only the first PUT of a version file: it lands, and its answer never comes back.
      eligible: ({ method, url }) => method === 'PUT' && isVersionFile(url) && lost++ === 0,
    })
    const storage = through(proxy, prefix)
    expect(await storage.write('plays', batch(1), PARTITION, { overwrite })).toBe(3)
    expect(proxy.counts.resetBeforeResponse).toBe(1)

    const reader = direct(prefix)
    const rows = (await reader.readIndex('plays')).map((r) => `${r.batch}.${r.i}`).sort()
    expect(rows).toEqual(overwrite ? ['1.0', '1.1', '1.2'] : ['0.0', '0.1', '0.2', '1.0', '1.1', '1.2'])
    // One version for the write, not two.
    expect(await logVersions(reader, 'plays')).toBe('0..1')
    const history = await reader.history('plays')
    expect(history.map((h) => ({ version: h.version, mode: h.mode, rowsAdded: h.rowsAdded, rowsRemoved: h.rowsRemoved }))).toEqual([
      { version: 0, mode: 'Overwrite', rowsAdded: 3, rowsRemoved: 0 },
      { version: 1, mode: overwrite ? 'Overwrite' : 'Append', rowsAdded: 3, rowsRemoved: overwrite ? 3 : 0 },
    ])
  })

  // The retry meets the version file (412), and reading it back fails too (every attempt of that
  // GET; the next GET of it works): the writer cannot tell whether the version is its own. It must
  // not take it for another writer's and commit the overwrite again on top of it (which would
  // remove, and then delete, the file its own version added).
  // The write then fails with its outcome unknown (UNAVAILABLE), and the table reads as one version.
  it('when the read-back of the version file fails as well, the overwrite is not applied twice and the table stays readable', async () => {
    const prefix = 'lost-answer-unreadable'
    await direct(prefix).write('plays', batch(0), PARTITION)
    let lost = 0
    let getsFailed = 0
    const MAX_ATTEMPTS = 4
    const proxy = await faultProxy({
      mix: { resetBeforeResponse: 1 },
      eligible: ({ method, url }) => {
        if (method === 'PUT' && isVersionFile(url)) return lost++ === 0
        const version1 = /\/_delta_log\/0{19}1\.json/.test(decodeURIComponent(url))
        return method === 'GET' && version1 && lost > 0 && getsFailed++ < MAX_ATTEMPTS
      },
    })
    const storage = through(proxy, prefix)
    const outcome = await storage.write('plays', batch(1), PARTITION).then(
      () => 'wrote',
      (e: unknown) => (e instanceof StorageError ? e.code : String(e)),
    )
    // The read-back failed on every attempt.
    expect(getsFailed).toBeGreaterThanOrEqual(MAX_ATTEMPTS)
    const reader = direct(prefix)
    const read = await reader.readIndex('plays').then(
      (rows) => rows.map((r) => `${r.batch}.${r.i}`).sort(),
      (e: unknown) => `read failed: ${e instanceof StorageError ? `${e.code} ${e.message}` : String(e)}`,
    )
    const history = await reader.history('plays')
    expect({ outcome, read, versionsAddingBatch1: history.filter((h) => h.version > 0).length }).toEqual({
      outcome: expect.stringMatching(/^(wrote|UNAVAILABLE)$/),
      read: ['1.0', '1.1', '1.2'],
      versionsAddingBatch1: 1,
    })
  })
})

describe('writes through a network that breaks 25% of requests', () => {
  it('each write lands whole (its rows readable, one version) or fails with a typed error, never half', async () => {
    const prefix = 'random-faults'
    const WRITES = 30
    const proxy = await faultProxy({
      rate: 0.25,
      seed: 1313,
      mix: { internalError: 1, slowDown: 0.5, resetBeforeResponse: 2, resetMidBody: 1, truncatedBody: 1, latency: 1 },
    })
    const storage = through(proxy, prefix)
    const results: { batch: number; ok: boolean; code?: string }[] = []
    for (let n = 0; n < WRITES; n++) {
      // Appends to one partition, with an overwrite of another every fifth write.
      const overwrite = n % 5 === 4
      const partition = overwrite ? { season: 2025 } : PARTITION
      try {
        await storage.write('plays', batch(n, 1 + (n % 4)), partition, { overwrite })
        results.push({ batch: n, ok: true })
      } catch (error) {
        results.push({ batch: n, ok: false, code: error instanceof StorageError ? error.code : `untyped: ${String(error)}` })
      }
    }
    const faults = proxy.counts
    console.info(`random faults on writes: ${JSON.stringify(faults)}; results ${JSON.stringify(results.filter((r) => !r.ok))}`)
    const reader = direct(prefix)
    const rows = await reader.readIndex('plays')
    const seen = new Map<number, number>()
    for (const row of rows) seen.set(Number(row.batch), (seen.get(Number(row.batch)) ?? 0) + 1)
    const lastOverwrite = Math.max(...results.filter((r) => r.batch % 5 === 4 && seen.has(r.batch)).map((r) => r.batch))
    const problems = results.flatMap(({ batch: n, ok, code }) => {
      const count = seen.get(n) ?? 0
      const whole = count === 1 + (n % 4)
      const out: string[] = []
      if (count !== 0 && !whole) out.push(`batch ${n}: ${count} rows, neither whole nor absent`)
      if (code !== undefined && !['UNAVAILABLE', 'CONFLICT'].includes(code)) out.push(`batch ${n}: failed with ${code}`)
      // A write that returned is readable (unless a later overwrite of its partition replaced it).
      if (ok && count === 0 && !(n % 5 === 4 && n < lastOverwrite)) out.push(`batch ${n}: returned but is not readable`)
      return out
    })
    expect(faults.internalError + faults.resetBeforeResponse + faults.resetMidBody + faults.truncatedBody).toBeGreaterThan(0)
    expect(problems).toEqual([])
    // Versions stay contiguous: one per write that landed, after the faults as before.
    expect(await logVersions(reader, 'plays')).toBe(`0..${(await reader.history('plays')).length - 1}`)
    expect(results.filter((r) => r.ok).length).toBeGreaterThan(WRITES / 2)
  }, 300_000)
})
