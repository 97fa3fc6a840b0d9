import { beforeAll, describe, expect, it } from '@jest/globals'
import { classify } from './support/requests.js'
import { BUCKET, useS3Server } from './support/s3-server.js'

const s3 = useS3Server('fauxqs', { recording: true })

/** A backend reading `prefix` through the recording proxy, with an empty partition-key cache. */
function reader(prefix: string) {
  return s3.storage({ endpoint: s3.proxy.endpoint, prefix })
}

describe('requests a read makes on S3', () => {
  const prefix = 'accounting-165'
  beforeAll(async () => {
    const writer = s3.storage({ prefix })
    const work: Promise<number>[] = []
    for (let season = 2014; season <= 2024; season++) {
      for (let week = 1; week <= 15; week++) {
        const rows = Array.from({ length: 20 }, (_, i) => ({ play_id: season * 10_000 + week * 100 + i, yards: i }))
        work.push(writer.write('plays', rows, { season, week }))
      }
    }
    await Promise.all(work)
  })

  it('reads one partition of 165 with one listing of its prefix and GETs of its own files, no HEAD', async () => {
    const storage = reader(prefix)
    s3.proxy.reset()
    const rows = await storage.readIndex('plays', { season: 2020, week: 7 })
    storage.close()
    expect(rows).toHaveLength(20)
    const calls = s3.proxy.requests.map((r) => classify(r, BUCKET))
    const partition = `${prefix}/plays/season=2020/week=7/`
    expect(calls.filter((c) => c.op === 'LIST').map((c) => c.key)).toEqual([partition])
    const gets = calls.filter((c) => c.op === 'GET')
    expect(gets.every((c) => c.key.startsWith(partition))).toBe(true)
    // The commit file and the one data file, each once.
    expect(gets.map((c) => c.key.slice(partition.length).split('-')[0]!.split('/')[0]).sort()).toEqual(['_commits', 'part'])
    expect(calls.filter((c) => c.op === 'HEAD')).toEqual([])
    expect(calls).toHaveLength(3)
  })

  it('lists only the pinned prefixes for an IN filter, in any key order', async () => {
    const storage = reader(prefix)
    await storage.readIndex('plays', { season: 2019, week: 1 }) // learns the layout
    s3.proxy.reset()
    const rows = await storage.readIndex('plays', { week: [2, 3], season: 2019 })
    storage.close()
    expect(rows).toHaveLength(40)
    const lists = s3.proxy.requests.map((r) => classify(r, BUCKET)).filter((c) => c.op === 'LIST')
    expect(lists.map((c) => c.key).sort()).toEqual([
      `${prefix}/plays/season=2019/week=2/`,
      `${prefix}/plays/season=2019/week=3/`,
    ])
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

  it('fetches less than half the file to read 2 of 6 equally sized columns', async () => {
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
    // At least the two columns' data came over the wire.
    expect(fileBytes).toBeGreaterThan((2 * ROWS * 8) * 0.9)
  })
})
