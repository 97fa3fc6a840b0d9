import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mapConcurrent } from '@cfb/storage-core'
import { S3Storage } from '../src/index.js'
import { type FakeS3, startFakeS3 } from './support/fake-s3.js'
import { classify } from './support/requests.js'
import { BUCKET, useS3Server } from './support/s3-server.js'

const s3 = useS3Server('fauxqs', { recording: true })

describe('listing 2,500 keys', () => {
  const prefix = 'listing-2500'
  const keys = Array.from({ length: 2500 }, (_, i) => `many/k-${String(i).padStart(5, '0')}.bin`)

  beforeAll(async () => {
    const writer = s3.storage({ prefix })
    await mapConcurrent(keys, 16, (key) => writer.writeBytes(key, new Uint8Array([1])))
    // 2,500 PUTs: past jest's default minute on a loaded machine.
  }, 300_000)

  it('follows every page and keeps the prefix on each', async () => {
    const storage = s3.storage({ prefix, endpoint: s3.proxy.endpoint })
    s3.proxy.reset()
    const listed = await storage.listFiles('many/')
    storage.close()
    expect(listed).toEqual(keys)

    const lists = s3.proxy.requests.map((r) => classify(r, BUCKET)).filter((c) => c.op === 'LIST')
    // 1,000 keys a page: 1,000 + 1,000 + 500.
    expect(lists).toHaveLength(3)
    expect(lists.map((c) => c.query.get('prefix'))).toEqual([`${prefix}/many/`, `${prefix}/many/`, `${prefix}/many/`])
    expect(lists[0]!.query.has('continuation-token')).toBe(false)
    const tokens = lists.slice(1).map((c) => c.query.get('continuation-token'))
    expect(tokens.every((t) => typeof t === 'string' && t !== '')).toBe(true)
    expect(new Set(tokens).size).toBe(2)
    expect(s3.proxy.requests).toHaveLength(3)
  })
})

/** One ListObjectsV2 page holding `key`, truncated, pointing at `next`. */
function truncatedPage(key: string, next: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    '<Name>stale</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>',
    `<IsTruncated>true</IsTruncated><NextContinuationToken>${next}</NextContinuationToken>`,
    `<Contents><Key>${key}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>`,
    '<ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>',
    '</ListBucketResult>',
  ].join('')
}

describe('a listing whose continuation token never advances', () => {
  let fake: FakeS3
  /** Token the page after `token` names: the server decides (same token, or a cycle). */
  let nextToken: (token: string | null) => string = () => 'same-token'

  beforeAll(async () => {
    fake = await startFakeS3((request, response) => {
      const token = new URL(request.url ?? '/', 'http://fake').searchParams.get('continuation-token')
      const body = truncatedPage(`key-${fake.requests.length}`, nextToken(token))
      response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) })
      response.end(body)
    })
  })
  afterAll(async () => {
    await fake.stop()
  })

  async function listAgainstFake(): Promise<{ error: unknown; ms: number }> {
    const storage = new S3Storage({
      bucket: 'stale',
      endpoint: fake.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
    })
    const started = Date.now()
    try {
      const error = await storage.listFiles('').then(
        () => undefined,
        (e: unknown) => e,
      )
      return { error, ms: Date.now() - started }
    } finally {
      storage.close()
    }
  }

  it('rejects with UNAVAILABLE when the same token comes back', async () => {
    nextToken = () => 'same-token'
    fake.requests.length = 0
    const { error, ms } = await listAgainstFake()
    expect(error).toMatchObject({ name: 'StorageError', code: 'UNAVAILABLE', backend: 's3' })
    expect((error as Error).message).toContain('s3://stale/')
    // The first page hands out the token, the second repeats it: nothing more is asked.
    expect(fake.requests).toHaveLength(2)
    expect(ms).toBeLessThan(10_000)
  })

  it('rejects with UNAVAILABLE when the tokens go round in a cycle', async () => {
    nextToken = (token) => (token === 'a' ? 'b' : 'a')
    fake.requests.length = 0
    const { error, ms } = await listAgainstFake()
    expect(error).toMatchObject({ code: 'UNAVAILABLE', backend: 's3' })
    expect(fake.requests).toHaveLength(3) // a, b, then a again
    expect(ms).toBeLessThan(10_000)
  })
})
