import { afterAll, beforeAll } from '@jest/globals'
import type { S3Client } from '@aws-sdk/client-s3'
import { type RecordingProxy, type S3TestServer, type ServerKind, startRecordingProxy, startS3Server } from '@cfb/test-servers'
import { createS3Client, S3Storage, type S3StorageOptions } from '../../src/index.js'

export const BUCKET = 'cfb-test'

/**
 * Starts an S3-compatible server on 127.0.0.1 for this test file, and makes backends on it:
 * each under a fresh prefix, all sharing one client. With `recording`, also a recording proxy in
 * front of it, for tests that count requests. `moto` is the one with conditional PUT
 * (`If-None-Match: *`), which concurrent writers to one table need.
 */
export function useS3Server(kind: ServerKind, options: { recording?: boolean } = {}) {
  let server: S3TestServer
  let proxy: RecordingProxy | undefined
  let client: S3Client
  let runs = 0
  beforeAll(async () => {
    server = await startS3Server(kind)
    await server.createBucket(BUCKET)
    client = createS3Client({
      bucket: BUCKET,
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: server.credentials,
    })
    if (options.recording) proxy = await startRecordingProxy(server.endpoint)
  })
  afterAll(async () => {
    await proxy?.stop()
    client?.destroy()
    await server?.stop()
  })
  return {
    get server() {
      return server
    },
    /** The recording proxy (with `recording: true`). */
    get proxy(): RecordingProxy {
      if (!proxy) throw new Error('start the server with { recording: true } to get a proxy')
      return proxy
    },
    /** A backend under its own prefix; `options` may point it elsewhere (a proxy, say). */
    storage(options: Partial<S3StorageOptions> = {}): S3Storage {
      runs += 1
      return new S3Storage({
        bucket: BUCKET,
        prefix: `run-${runs}`,
        client: options.endpoint ? undefined : client,
        region: server.region,
        forcePathStyle: true,
        credentials: server.credentials,
        capabilities: server.quirks,
        // Test servers without conditional create run one writer per table (the suite says so).
        singleWriter: !server.quirks.conditionalPut,
        ...options,
      })
    },
  }
}
