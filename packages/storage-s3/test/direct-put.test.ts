import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type RecordingProxy, startRecordingProxy } from '@cfb/test-servers'
import { createS3Client, type S3Storage } from '../src/index.js'
import { classify } from './support/requests.js'
import { BUCKET, useS3Server } from './support/s3-server.js'
import { signatureMatches } from './support/sigv4.js'

// A store that made its client sends small PUTs past the SDK's middleware (src/direct-put.ts).
// The conformance suites run on that path too; these pin down what goes over the wire.

const s3 = useS3Server('fauxqs')
let proxy: RecordingProxy
/** Canned answers for the next PUTs, in order; then requests go through to the server. */
const cannedPuts: { status: number; body: string }[] = []
const open: S3Storage[] = []
const clients: S3Client[] = []

beforeAll(async () => {
  proxy = await startRecordingProxy(s3.server.endpoint, {
    respond: ({ method }) => (method === 'PUT' ? cannedPuts.shift() : undefined),
  })
})
afterAll(async () => {
  for (const storage of open) storage.close()
  for (const client of clients) client.destroy()
  await proxy.stop()
})

/** Through the proxy on a client of its own (direct PUTs) or on a client passed in (the SDK's path). */
function through(prefix: string, options: { sdkPath?: boolean } = {}): S3Storage {
  const endpoint = proxy.endpoint
  const client = options.sdkPath ? createS3Client({ bucket: BUCKET, endpoint, forcePathStyle: true, credentials: s3.server.credentials }) : undefined
  const storage = s3.storage({ endpoint: client ? undefined : endpoint, client, prefix, maxAttempts: 3 })
  open.push(storage)
  if (client) clients.push(client)
  return storage
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value)
const s3Error = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} here</Message></Error>`

describe('small PUTs of a store that made its client', () => {
  it('are one signed request each, with the body SHA-256 signed and the metadata sent', async () => {
    const storage = through('direct-wire')
    const bytes = new TextEncoder().encode('{"id":1}')
    proxy.reset()
    await storage.store.put('raw/a b+c/é (1)!.json', bytes, { contentType: 'application/json', metadata: { sha256: 'abc' } })
    expect(proxy.requests).toHaveLength(1)
    const [put] = proxy.requests
    expect(classify(put!, BUCKET)).toMatchObject({ op: 'PUT', key: 'direct-wire/raw/a b+c/é (1)!.json' })
    expect(header(put!.headers['x-amz-content-sha256'])).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(header(put!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[^,]*x-amz-content-sha256/)
    expect(header(put!.headers['x-amz-meta-sha256'])).toBe('abc')
    expect(header(put!.headers['content-type'])).toBe('application/json')
    expect(put!.bodyBytes).toBe(bytes.length)
    const there = await s3.storage({ prefix: 'direct-wire' }).store.head('raw/a b+c/é (1)!.json')
    expect(there).toMatchObject({ size: bytes.length, metadata: { sha256: 'abc' } })
    expect(await storage.store.get('raw/a b+c/é (1)!.json')).toEqual(bytes)
  })

  it('are signed as SigV4 says, as the SDK signs the same PUT', async () => {
    const key = "raw/season=2024/a b+c/é (1)!*'~.json"
    const secret = s3.server.credentials.secretAccessKey
    proxy.reset()
    await through('direct-sig').store.put(key, new Uint8Array([1, 2]), { metadata: { sha256: 'abc' } })
    await through('direct-sig', { sdkPath: true }).store.put(key, new Uint8Array([1, 2]), { metadata: { sha256: 'abc' } })
    const [direct, sdk] = proxy.requests
    expect(direct!.url.split('?')[0]).toBe(sdk!.url.split('?')[0])
    expect(signatureMatches(sdk!, secret)).toBe(true)
    expect(signatureMatches(direct!, secret)).toBe(true)
    expect(signatureMatches(direct!, 'another secret')).toBe(false)
  })

  it('retry a SlowDown and a 500, then land', async () => {
    const storage = through('direct-retry')
    cannedPuts.push({ status: 503, body: s3Error('SlowDown') }, { status: 500, body: s3Error('InternalError') })
    proxy.reset()
    await storage.store.put('k.bin', new Uint8Array([1, 2, 3]))
    expect(proxy.requests.map((r) => r.status)).toEqual([503, 500, 200])
    expect(await storage.store.get('k.bin')).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('do not retry a refusal, and name it', async () => {
    const storage = through('direct-refused')
    cannedPuts.push({ status: 403, body: s3Error('AccessDenied') })
    proxy.reset()
    const error = await storage.store.put('k.bin', new Uint8Array([1])).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('AccessDenied, HTTP 403') })
    expect(proxy.requests).toHaveLength(1)
  })

  it('give up after the attempt budget and say so', async () => {
    const storage = through('direct-budget')
    for (let i = 0; i < 3; i++) cannedPuts.push({ status: 503, body: s3Error('SlowDown') })
    proxy.reset()
    const error = await storage.store.put('k.bin', new Uint8Array([1])).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/after 3 attempts in \d+\.\d s: SlowDown, HTTP 503/) })
    expect(proxy.requests).toHaveLength(3)
  })
})

describe('a caller-supplied client', () => {
  it('keeps every PUT on the SDK path, so its own middleware sees them', async () => {
    const storage = through('shared', { sdkPath: true })
    const seen: string[] = []
    storage.store.client.middlewareStack.add(
      (next, context) => async (args) => {
        seen.push(context.commandName ?? '')
        return next(args)
      },
      { step: 'initialize', name: 'directPutTestSpy' },
    )
    try {
      await storage.store.put('k.bin', new Uint8Array([1]))
    } finally {
      storage.store.client.middlewareStack.remove('directPutTestSpy')
    }
    expect(seen).toEqual(['PutObjectCommand'])
  })
})
