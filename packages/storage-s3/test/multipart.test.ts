import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { StorageError } from '@cfb/storage-core'
import { type RecordingProxy, startRecordingProxy } from '@cfb/test-servers'
import type { S3Storage } from '../src/index.js'
import { classify } from './support/requests.js'
import { BUCKET, useS3Server } from './support/s3-server.js'

const MIB = 1024 * 1024
const SIZE = 20 * MIB // parts of 8, 8 and 4 MiB at the default part size

const s3 = useS3Server('fauxqs')
let proxy: RecordingProxy
/** Answers 500 to every attempt at part 2, forwards everything else. */
let faulty: RecordingProxy
const open: S3Storage[] = []

beforeAll(async () => {
  proxy = await startRecordingProxy(s3.server.endpoint)
  faulty = await startRecordingProxy(s3.server.endpoint, {
    respond: ({ method, url }) =>
      method === 'PUT' && new URL(url, 'http://proxy').searchParams.get('partNumber') === '2'
        ? { status: 500, body: '<Error><Code>InternalError</Code><Message>injected</Message></Error>' }
        : undefined,
  })
})
afterAll(async () => {
  for (const storage of open) storage.close()
  await proxy.stop()
  await faulty.stop()
})

function through(target: RecordingProxy, maxAttempts?: number): S3Storage {
  const storage = s3.storage({ endpoint: target.endpoint, maxAttempts })
  open.push(storage)
  return storage
}

/** Deterministic incompressible bytes (xorshift32), so a part boundary can't hide a mix-up. */
function noise(size: number, seed = 0x9e3779b9): Uint8Array {
  const words = new Uint32Array(size / 4)
  let x = seed
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  return new Uint8Array(words.buffer)
}

const calls = (target: RecordingProxy) =>
  target.requests.map((request) => ({ request, call: classify(request, BUCKET) }))

describe('multipart upload of a 20 MiB object', () => {
  const bytes = noise(SIZE)
  let storage: S3Storage

  beforeAll(async () => {
    storage = through(proxy)
    proxy.reset()
    await storage.writeBytes('big/object.bin', bytes)
  })

  it('goes up as create, three fixed-size parts, complete', () => {
    const seen = calls(proxy)
    const creates = seen.filter(({ call }) => call.op === 'POST' && call.query.has('uploads'))
    const parts = seen.filter(({ call }) => call.op === 'PUT' && call.query.has('partNumber'))
    const completes = seen.filter(({ call }) => call.op === 'POST' && call.query.has('uploadId'))
    expect(creates).toHaveLength(1)
    expect(parts).toHaveLength(3)
    expect(completes).toHaveLength(1)
    // No single PUT of the whole object alongside, no abort.
    expect(seen).toHaveLength(5)
    expect(seen.every(({ request }) => request.status >= 200 && request.status < 300)).toBe(true)

    const sizes = parts
      .sort((a, b) => Number(a.call.query.get('partNumber')) - Number(b.call.query.get('partNumber')))
      .map(({ request }) => request.bodyBytes)
    // Every non-trailing part has the same size (R2 rejects anything else): the configured 8 MiB.
    expect(sizes).toEqual([8 * MIB, 8 * MIB, 4 * MIB])
    expect(new Set(parts.map(({ call }) => call.query.get('uploadId'))).size).toBe(1)
    expect(parts[0]!.call.query.get('uploadId')).toBe(completes[0]!.call.query.get('uploadId'))
  })

  it('reads back byte for byte', async () => {
    const back = await storage.readBytes('big/object.bin')
    expect(back.length).toBe(SIZE)
    expect(Buffer.compare(back, bytes)).toBe(0)
  })

  it('reads a range across a part boundary with one ranged GET and no HEAD', async () => {
    const start = 8 * MIB - 1000
    const end = 12 * MIB + 17
    proxy.reset()
    const middle = await storage.readBytes('big/object.bin', { start, end })
    expect(middle.length).toBe(end - start)
    expect(Buffer.compare(middle, bytes.subarray(start, end))).toBe(0)
    expect(proxy.requests.map((r) => [r.method, r.range])).toEqual([['GET', `bytes=${start}-${end - 1}`]])
  })
})

describe('a failing multipart upload', () => {
  it('rejects with a StorageError and aborts the upload', async () => {
    const storage = through(faulty, 2)
    faulty.reset()
    const failure = await storage.writeBytes('big/failed.bin', noise(SIZE, 42)).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(StorageError)
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', backend: 's3', key: 'big/failed.bin' })

    const seen = calls(faulty)
    const part2 = seen.filter(({ call }) => call.op === 'PUT' && call.query.get('partNumber') === '2')
    expect(part2.map(({ request }) => request.status)).toEqual([500, 500]) // maxAttempts
    const uploadId = part2[0]!.call.query.get('uploadId')
    const aborts = seen.filter(({ call }) => call.op === 'DELETE' && call.query.get('uploadId') === uploadId)
    expect(aborts).toHaveLength(1)
    expect(aborts[0]!.request.status).toBeLessThan(300)
    expect(seen.filter(({ call }) => call.op === 'POST' && call.query.has('uploadId'))).toEqual([])
    // Nothing was left under the key.
    await expect(storage.readBytes('big/failed.bin')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
