import { describe, expect, it } from '@jest/globals'
import { APPENDS_PER_WRITER, appendConcurrently, batchTable, checkBatches, logVersions } from '@cfb/test-servers'
import { useR2Server } from './support/r2-server.js'

// R2 honours `If-None-Match: *` as S3 does; moto stands in for it here. Each version file is put
// with it, so writers with their own clients commit to one table at once and lose nothing.

const r2 = useR2Server('moto', { recording: true })
const WRITERS = 4
const PARTITION = { season: 2024 }

describe('R2 commits with conditional PUT', () => {
  it(`${WRITERS} writers x ${APPENDS_PER_WRITER} appends: every version file PUT carries If-None-Match: *, the losers get 412, and all ${WRITERS * APPENDS_PER_WRITER} batches land in versions 0..${WRITERS * APPENDS_PER_WRITER}`, async () => {
    const writers = Array.from({ length: WRITERS }, () => r2.storage({ endpoint: r2.proxy.endpoint, prefix: 'conditional' }))
    await writers[0]!.createTable('plays', batchTable(PARTITION))
    r2.proxy.reset()
    await appendConcurrently(writers, 'plays', PARTITION, APPENDS_PER_WRITER)
    const versionPuts = r2.proxy.requests.filter((r) => r.method === 'PUT' && /\/_delta_log\/\d{20}\.json$/.test(r.url.split('?')[0]!))
    expect(versionPuts.filter((r) => r.headers['if-none-match'] !== '*')).toEqual([])
    expect(versionPuts.filter((r) => r.status === 200)).toHaveLength(WRITERS * APPENDS_PER_WRITER)
    // The writers raced: some PUTs found the version taken.
    expect(versionPuts.filter((r) => r.status === 412).length).toBeGreaterThan(0)
    const reader = r2.storage({ prefix: 'conditional' })
    const report = checkBatches(await reader.readIndex('plays'), WRITERS, APPENDS_PER_WRITER)
    expect({ complete: report.complete, missing: report.missing, duplicated: report.duplicated, broken: report.broken }).toEqual({
      complete: WRITERS * APPENDS_PER_WRITER,
      missing: [],
      duplicated: [],
      broken: [],
    })
    expect(await logVersions(reader, 'plays')).toBe(`0..${WRITERS * APPENDS_PER_WRITER}`)
  }, 600_000)
})
