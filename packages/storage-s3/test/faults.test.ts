import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { FAULT_KINDS, type FaultProxy, startFaultProxy } from '@cfb/test-servers'
import type { S3Storage, S3StorageOptions } from '../src/index.js'
import { type CycleResult, runCycle } from './support/fault-cycle.js'
import { useS3Server } from './support/s3-server.js'

// A full write/read/migrate/verify cycle through a proxy that breaks 10% of requests must end
// exactly as the same cycle does on a clean network. On moto: the cycle's writers commit to one
// table at once, which needs conditional PUT; a version PUT whose answer was lost meets its own
// version file on the retry and counts once, so both runs end with the same versions.

const COPY_BUCKET = 'cfb-faults-copy'
// Every kind; black holes (a 2 s timeout each) and SlowDown (a 1 s throttling backoff) rarer, to
// keep the run short.
const MIX = {
  internalError: 2,
  slowDown: 1,
  resetBeforeResponse: 2,
  resetMidBody: 2,
  truncatedBody: 2,
  latency: 2,
  blackHole: 0.5,
}
const s3 = useS3Server('moto')
const open: S3Storage[] = []

/**
 * A backend through `proxy`; bounded timeouts so a black-holed request costs seconds, not minutes.
 * 7 attempts, not the default 5: about 9.6% of attempts fail, and over ~1,700 requests five
 * failures in a row on one of them would fail a run about once in 80 (seven: once in 8,000).
 */
function through(proxy: FaultProxy, options: Partial<S3StorageOptions>): S3Storage {
  const storage = s3.storage({
    endpoint: proxy.endpoint,
    maxAttempts: 7,
    // moto handles one request at a time (see moto-server.ts in @cfb/test-servers): under 16 writers a connection or an
    // answer can take seconds on a loaded machine without any fault.
    connectionTimeoutMs: 5_000,
    requestTimeoutMs: 10_000,
    ...options,
  })
  open.push(storage)
  return storage
}

let clean: FaultProxy
let faulty: FaultProxy
beforeAll(async () => {
  await s3.server.createBucket(COPY_BUCKET)
  clean = await startFaultProxy(s3.server.endpoint, { rate: 0 })
  faulty = await startFaultProxy(s3.server.endpoint, { rate: 0.1, seed: 20_240_901, mix: MIX })
})
afterAll(async () => {
  for (const storage of open) storage.close()
  await Promise.all([clean?.stop(), faulty?.stop()])
})

describe('a full cycle at a 10% fault rate', () => {
  let expected: CycleResult
  let actual: CycleResult
  let seconds = { clean: 0, faulty: 0 }
  beforeAll(async () => {
    const cycle = async (proxy: FaultProxy, name: string) => {
      const started = Date.now()
      const result = await runCycle(
        through(proxy, { prefix: `${name}/source` }),
        through(proxy, { prefix: `${name}/copy`, bucket: COPY_BUCKET }),
      )
      return { result, seconds: (Date.now() - started) / 1000 }
    }
    const before = await cycle(clean, 'clean')
    const after = await cycle(faulty, 'faulty')
    ;[expected, actual] = [before.result, after.result]
    seconds = { clean: before.seconds, faulty: after.seconds }
    console.info(
      `10% faults: ${JSON.stringify(faulty.counts)}; cycle took ${seconds.faulty.toFixed(1)} s (clean: ${seconds.clean.toFixed(1)} s)`,
    )
  }, 900_000)

  it('injected every kind of fault', () => {
    for (const kind of FAULT_KINDS) expect(faulty.counts[kind]).toBeGreaterThan(0)
    const injected = FAULT_KINDS.reduce((sum, kind) => sum + faulty.counts[kind], 0)
    expect(injected / faulty.counts.requests).toBeGreaterThan(0.05)
    expect(clean.counts.forwarded).toBe(clean.counts.requests)
  })

  it('wrote the same rows and reads them back identically, with filters and projections', () => {
    expect(actual.written).toBe(expected.written)
    expect(expected.reads.all!.length).toBeGreaterThan(1_000)
    for (const name of Object.keys(expected.reads)) {
      expect(expected.reads[name]!.length).toBeGreaterThan(0)
      expect(actual.reads[name]).toEqual(expected.reads[name])
    }
    expect(actual.partitions).toEqual(expected.partitions)
    expect(actual.partitions).toHaveLength(50)
  })

  it('migrates and verifies the same objects, and the copy reads the same rows', () => {
    expect(expected.verified.ok).toBe(true)
    expect(actual.verified).toEqual({ ...expected.verified, groups: expect.any(Array) })
    expect(actual.verified.groups).toEqual(expected.verified.groups)
    expect(actual.migrated).toEqual(expected.migrated)
    expect(actual.sourceKeys).toEqual(expected.sourceKeys)
    expect(actual.destKeys).toEqual(expected.sourceKeys)
    expect(actual.destReads).toEqual(expected.reads)
  })
})

