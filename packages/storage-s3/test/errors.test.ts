import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { inspect } from 'node:util'
import { StorageError } from '@cfb/storage-core'
import { type S3TestServer, startS3Server } from '@cfb/test-servers'
import { S3Storage, type S3StorageOptions } from '../src/index.js'
import { closedPort, type FakeS3, sendS3Error, startFakeS3 } from './support/fake-s3.js'

// Distinctive fake credentials: a test fails if any error carries the secret anywhere.
const SECRET = 'SECRET-do-not-print-7f3a'
const CREDENTIALS = { accessKeyId: 'AKIDFAKE7F3A', secretAccessKey: SECRET }
const BUCKET = 'cfb-errors'

const open: S3Storage[] = []
function storage(options: Partial<S3StorageOptions> & { endpoint: string }): S3Storage {
  const made = new S3Storage({
    bucket: BUCKET,
    prefix: 'errors',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    ...options,
  })
  open.push(made)
  return made
}

/** Runs `action`, expects a StorageError, checks it never shows the secret, and returns it. */
async function failure(action: () => Promise<unknown>): Promise<StorageError> {
  const error = await action().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(StorageError)
  const e = error as StorageError
  for (const text of [e.message, String(e.stack), JSON.stringify(e), String(e.cause), inspect(e, { depth: 8 })]) {
    expect(text).not.toContain(SECRET)
  }
  return e
}

let fauxqs: S3TestServer
let s3rver: S3TestServer
beforeAll(async () => {
  ;[fauxqs, s3rver] = await Promise.all([startS3Server('fauxqs'), startS3Server('s3rver')])
  await Promise.all([fauxqs.createBucket(BUCKET), s3rver.createBucket(BUCKET)])
})
afterAll(async () => {
  for (const made of open) made.close()
  await Promise.all([fauxqs?.stop(), s3rver?.stop()])
})

describe('S3 answers map to StorageError codes', () => {
  it('NoSuchKey → NOT_FOUND, naming the backend, bucket and key', async () => {
    const e = await failure(() => storage({ endpoint: fauxqs.endpoint }).readBytes('missing/file.parquet'))
    expect(e).toMatchObject({ code: 'NOT_FOUND', backend: 's3', key: 'missing/file.parquet' })
    expect(e.message).toContain(`s3://${BUCKET}/errors/missing/file.parquet`)
  })

  // s3rver checks that the access key exists but not a SigV4 signature (its SigV4 check is
  // unimplemented), so a wrong secret for a known key is served by a fake S3 below.
  it('an unknown access key on s3rver → PERMISSION_DENIED', async () => {
    const credentials = { accessKeyId: 'AKIDUNKNOWN7F3A', secretAccessKey: SECRET }
    const e = await failure(() => storage({ endpoint: s3rver.endpoint, credentials }).writeBytes('denied/a.bin', new Uint8Array([1])))
    expect(e).toMatchObject({ code: 'PERMISSION_DENIED', backend: 's3', key: 'denied/a.bin' })
    expect(e.message).toContain(`s3://${BUCKET}/errors/denied/a.bin`)
    expect(e.message).toContain('InvalidAccessKeyId')
  })

  it.each(['SignatureDoesNotMatch', 'AccessDenied'])('403 %s → PERMISSION_DENIED, not retried', async (code) => {
    const denying = await startFakeS3((_, response) => sendS3Error(response, 403, code))
    try {
      const e = await failure(() => storage({ endpoint: denying.endpoint, maxAttempts: 3 }).readBytes('denied/b.bin'))
      expect(e).toMatchObject({ code: 'PERMISSION_DENIED', backend: 's3', key: 'denied/b.bin' })
      expect(e.message).toContain(code)
      expect(denying.requests).toHaveLength(1)
    } finally {
      await denying.stop()
    }
  })

  it.each(['fauxqs', 's3rver'] as const)('a bucket that does not exist → CONFIG (%s)', async (kind) => {
    const endpoint = kind === 'fauxqs' ? fauxqs.endpoint : s3rver.endpoint
    const credentials = kind === 's3rver' ? s3rver.credentials : CREDENTIALS
    const e = await failure(() => storage({ endpoint, credentials, bucket: 'no-such-bucket' }).readBytes('x/y.bin'))
    expect(e).toMatchObject({ code: 'CONFIG', backend: 's3' })
    expect(e.message).toContain('no-such-bucket')
    expect(e.message).toContain('x/y.bin')
  })
})

describe('codes come from the S3 error name, then the HTTP status, on every test server', () => {
  let moto: S3TestServer
  beforeAll(async () => {
    moto = await startS3Server('moto')
    await moto.createBucket(BUCKET)
  }, 120_000)
  afterAll(async () => {
    await moto?.stop()
  })
  const server = (kind: 'fauxqs' | 's3rver' | 'moto') => ({ fauxqs, s3rver, moto })[kind]

  it.each(['fauxqs', 's3rver', 'moto'] as const)('%s: a listing of a bucket that does not exist → CONFIG; a missing key → NOT_FOUND', async (kind) => {
    const { endpoint, credentials } = server(kind)
    const listing = await failure(() => storage({ endpoint, credentials, bucket: 'no-such-bucket' }).listFiles('x/'))
    expect(listing).toMatchObject({ code: 'CONFIG', backend: 's3' })
    expect(listing.message).toContain('NoSuchBucket')
    const missing = await failure(() => storage({ endpoint, credentials }).readBytes('missing/k.bin'))
    expect(missing).toMatchObject({ code: 'NOT_FOUND', backend: 's3', key: 'missing/k.bin' })
  })

  it('moto: a create-only PUT of a key that exists → CONFLICT (412), not retried into an overwrite', async () => {
    const s = storage({ endpoint: moto.endpoint, credentials: moto.credentials })
    await s.store.put('cond/a.bin', new Uint8Array([1]))
    const e = await failure(() => s.store.put('cond/a.bin', new Uint8Array([2]), { ifNoneMatch: '*' }))
    expect(e).toMatchObject({ code: 'CONFLICT', backend: 's3', key: 'cond/a.bin' })
    expect([...(await s.readBytes('cond/a.bin'))]).toEqual([1])
  })

  it.each([
    [405, 'MethodNotAllowed', 'NOT_SUPPORTED'],
    [411, 'MissingContentLength', 'INVALID_ARGUMENT'],
  ] as const)('an answer %i %s that S3 names no code for → %s by its status, not retried', async (status, name, code) => {
    const refusing = await startFakeS3((_, response) => sendS3Error(response, status, name))
    try {
      const e = await failure(() => storage({ endpoint: refusing.endpoint, maxAttempts: 3 }).readBytes('refused/c.bin'))
      expect(e).toMatchObject({ code, backend: 's3', key: 'refused/c.bin' })
      expect(refusing.requests).toHaveLength(1)
    } finally {
      await refusing.stop()
    }
  })
})

describe('network failures and throttling → UNAVAILABLE', () => {
  let slowDown: FakeS3
  beforeAll(async () => {
    slowDown = await startFakeS3((_, response) => sendS3Error(response, 503, 'SlowDown'))
  })
  afterAll(async () => {
    await slowDown.stop()
  })

  it('an endpoint with nothing listening fails fast after maxAttempts', async () => {
    const port = await closedPort()
    const started = Date.now()
    const e = await failure(() => storage({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 }).readBytes('a/b.bin'))
    expect(e).toMatchObject({ code: 'UNAVAILABLE', backend: 's3', key: 'a/b.bin' })
    expect(e.message).toContain(`s3://${BUCKET}/errors/a/b.bin`)
    expect((e.cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(2)
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it.each([
    ['readBytes', (s: S3Storage) => s.readBytes('slow/a.bin')],
    ['writeBytes', (s: S3Storage) => s.writeBytes('slow/a.bin', new Uint8Array(1024))],
    ['listFiles', (s: S3Storage) => s.listFiles('slow/')],
  ])('503 SlowDown on every attempt of %s → UNAVAILABLE after exactly maxAttempts', async (_, action) => {
    slowDown.requests.length = 0
    const e = await failure(() => action(storage({ endpoint: slowDown.endpoint, maxAttempts: 3 })))
    expect(e).toMatchObject({ code: 'UNAVAILABLE', backend: 's3' })
    expect(e.message).toContain('SlowDown')
    expect(e.message).toContain(`s3://${BUCKET}/errors/slow/`)
    expect(slowDown.requests).toHaveLength(3)
  })
})
