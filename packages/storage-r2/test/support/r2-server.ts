import { afterAll, beforeAll } from '@jest/globals'
import { type RecordingProxy, type S3TestServer, type ServerKind, startRecordingProxy, startS3Server } from '@cfb/test-servers'
import { R2Storage, type R2StorageOptions } from '../../src/index.js'

export const BUCKET = 'cfb-r2-test'

/**
 * An S3-compatible server on 127.0.0.1 standing in for R2; backends use the R2 profile on it. With
 * `recording`, also a recording proxy in front of it, for tests that count requests.
 */
export function useR2Server(kind: ServerKind, options: { recording?: boolean } = {}) {
  let server: S3TestServer
  let proxy: RecordingProxy | undefined
  let runs = 0
  const open: R2Storage[] = []
  beforeAll(async () => {
    server = await startS3Server(kind)
    await server.createBucket(BUCKET)
    if (options.recording) proxy = await startRecordingProxy(server.endpoint)
  })
  afterAll(async () => {
    await proxy?.stop()
    for (const storage of open) storage.close()
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
    storage(options: Partial<R2StorageOptions> = {}): R2Storage {
      runs += 1
      const storage = new R2Storage({
        bucket: BUCKET,
        prefix: `run-${runs}`,
        endpoint: server.endpoint,
        accessKeyId: server.credentials.accessKeyId,
        secretAccessKey: server.credentials.secretAccessKey,
        capabilities: server.quirks,
        // Test servers without conditional create run one writer per table (the suite says so).
        singleWriter: !server.quirks.conditionalPut,
        ...options,
      })
      open.push(storage)
      return storage
    },
  }
}
