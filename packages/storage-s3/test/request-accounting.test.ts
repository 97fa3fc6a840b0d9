import { beforeAll, describe, expect, it } from '@jest/globals'
import { classify } from './support/requests.js'
import { BUCKET, useS3Server } from './support/s3-server.js'

const s3 = useS3Server('fauxqs', { recording: true })
/** GETs to read one small data file: its size is in the log, and a small file is fetched whole. */
const DATA_FILE_GETS = 1
/** GETs to read a small checkpoint file: fetched whole, as a small data file. */
const CHECKPOINT_GETS = 1

/** A backend reading `prefix` through the recording proxy, with an empty partition-key cache. */
function reader(prefix: string) {
  return s3.storage({ endpoint: s3.proxy.endpoint, prefix })
}

describe('requests a read makes on S3', () => {
  const prefix = 'accounting-165'
  const log = `${prefix}/plays/_delta_log/`
  beforeAll(async () => {
    const writer = s3.storage({ prefix })
    const rows = []
    for (let season = 2014; season <= 2024; season++) {
      for (let week = 1; week <= 15; week++) {
        for (let i = 0; i < 20; i++) rows.push({ play_id: season * 10_000 + week * 100 + i, yards: i, season, week })
      }
    }
    // One version of 165 partitions (one data file each).
    await writer.writePartitioned('plays', rows, ['season', 'week'])
    writer.close()
  })

  it('reads one partition of 165 with 1 LIST (of _delta_log/), 1 GET of version 0, then 1 GET of its own small file (whole: its size is in the log), no HEAD', async () => {
    const storage = reader(prefix)
    s3.proxy.reset()
    const rows = await storage.readIndex('plays', { season: 2020, week: 7 })
    storage.close()
    expect(rows).toHaveLength(20)
    const calls = s3.proxy.requests.map((r) => classify(r, BUCKET))
    const partition = `${prefix}/plays/season=2020/week=7/`
    // The table's log, listed once: no data folder is listed.
    expect(calls.filter((c) => c.op === 'LIST').map((c) => c.key)).toEqual([log])
    expect(calls.filter((c) => c.op === 'HEAD')).toEqual([])
    const gets = calls.filter((c) => c.op === 'GET')
    expect(gets[0]!.key).toBe(`${log}00000000000000000000.json`)
    const dataGets = gets.slice(1)
    expect(dataGets.every((c) => c.key.startsWith(`${partition}part-`))).toBe(true)
    expect(new Set(dataGets.map((c) => c.key)).size).toBe(1)
    expect(dataGets).toHaveLength(DATA_FILE_GETS)
    expect(calls).toHaveLength(1 + 1 + DATA_FILE_GETS)
  })

  it('reads 2 of 165 partitions for an IN filter, keys in any order, with 1 HEAD of the next version (absent), no LIST or GET of the cached log, and 1 GET of each of those 2 files only', async () => {
    const storage = reader(prefix)
    await storage.readIndex('plays', { season: 2019, week: 1 }) // loads the log
    s3.proxy.reset()
    const rows = await storage.readIndex('plays', { week: [2, 3], season: 2019 })
    storage.close()
    expect(rows).toHaveLength(40)
    const calls = s3.proxy.requests.map((r) => classify(r, BUCKET))
    // The cached version 0 is confirmed the latest by a HEAD of version 1 (404): a class B request,
    // where a LIST is class A.
    expect(calls.filter((c) => c.op === 'LIST')).toEqual([])
    expect(calls.filter((c) => c.op === 'HEAD').map((c) => c.key)).toEqual([`${log}00000000000000000001.json`])
    const gets = calls.filter((c) => c.op === 'GET')
    expect([...new Set(gets.map((c) => c.key.slice(0, c.key.lastIndexOf('/') + 1)))].sort()).toEqual([
      `${prefix}/plays/season=2019/week=2/`,
      `${prefix}/plays/season=2019/week=3/`,
    ])
    expect(gets).toHaveLength(2 * DATA_FILE_GETS)
    expect(calls).toHaveLength(1 + 2 * DATA_FILE_GETS)
  })
})

describe('requests a snapshot load makes on S3, with a checkpoint', () => {
  const prefix = 'accounting-checkpoint'
  const log = `${prefix}/games/_delta_log/`
  beforeAll(async () => {
    const writer = s3.storage({ prefix })
    // 13 versions (0..12): the checkpoint is at version 10.
    for (let n = 0; n < 13; n++) await writer.write('games', [{ game_id: n }], { season: 2024 }, { overwrite: false })
    writer.close()
  })

  it('loads 13 versions with 1 LIST, the checkpoint of version 10 and the GETs of versions 11 and 12 only', async () => {
    const storage = reader(prefix)
    s3.proxy.reset()
    const schema = await storage.schema('games')
    storage.close()
    expect(schema.version).toBe(12)
    const calls = s3.proxy.requests.map((r) => classify(r, BUCKET))
    expect(calls.filter((c) => c.op === 'LIST').map((c) => c.key)).toEqual([log])
    const gets = calls.filter((c) => c.op === 'GET').map((c) => c.key.slice(log.length))
    expect([...new Set(gets)].sort()).toEqual([
      '00000000000000000010.checkpoint.parquet',
      '00000000000000000011.json',
      '00000000000000000012.json',
    ])
    expect(gets.filter((key) => key.endsWith('.json'))).toHaveLength(2)
    expect(gets).toHaveLength(2 + CHECKPOINT_GETS)
  })
})

describe('column projection over ranged GETs', () => {
  const prefix = 'accounting-columns'
  const ROWS = 60_000
  let fileKey = ''
  let fileSize = 0
  beforeAll(async () => {
    const writer = s3.storage({ prefix })
    // Six equally sized, incompressible float columns.
    let seed = 7
    const random = () => {
      // xorshift32: deterministic, and distinct enough that no dictionary or codec shrinks it.
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 2 ** 32 + (seed & 0xffff) / 2 ** 48
    }
    const rows = Array.from({ length: ROWS }, () => ({ a: random(), b: random(), c: random(), d: random(), e: random(), f: random() }))
    await writer.write('wide', rows, { season: 2024 })
    const files = await writer.listFiles('wide/')
    fileKey = files.find((k) => k.endsWith('.parquet'))!
    fileSize = (await writer.readBytes(fileKey)).length
    writer.close()
  })

  it('reads 2 of 6 equally sized columns with 1 LIST of _delta_log/, 1 GET of version 0 and 2 ranged GETs of the file (footer, then their chunks): less than half the file', async () => {
    const storage = reader(prefix)
    s3.proxy.reset()
    const rows = await storage.readIndex('wide', { season: 2024 }, { columns: ['a', 'b'] })
    storage.close()
    expect(rows).toHaveLength(ROWS)
    expect(Object.keys(rows[0]!)).toEqual(['a', 'b'])
    const fileBytes = s3.proxy.requests
      .map((r) => classify(r, BUCKET))
      .filter((c) => c.op === 'GET' && `${c.key}` === `${prefix}/${fileKey}`)
      .reduce((sum, c) => sum + c.bytes, 0)
    expect(fileSize).toBeGreaterThan(6 * ROWS * 8 * 0.9)
    expect(fileBytes).toBeLessThan(fileSize / 2)
    const calls = s3.proxy.requests.map((r) => classify(r, BUCKET))
    expect(calls.map((c) => `${c.op} ${c.key === `${prefix}/${fileKey}` ? '<file>' : c.key.slice(prefix.length + 1)}`)).toEqual([
      'LIST wide/_delta_log/',
      'GET wide/_delta_log/00000000000000000000.json',
      'GET <file>',
      'GET <file>',
    ])
    // At least the two columns' data came over the wire.
    expect(fileBytes).toBeGreaterThan((2 * ROWS * 8) * 0.9)
  })
})
