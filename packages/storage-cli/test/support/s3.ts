import { afterAll, beforeAll } from '@jest/globals'
import { S3ObjectStore } from '@cfb/storage-s3'
import { type S3TestServer, startS3Server } from '@cfb/test-servers'
import { type CliEnv, cliEnv } from './cli.js'

export const BUCKET = 'cfb-e2e'

/**
 * One fauxqs server on 127.0.0.1 for the test file, started in `beforeAll` and stopped in
 * `afterAll`, with the bucket created; `env()` is what the bin needs to reach it through either
 * profile, and `store(prefix)` a direct S3 client on it for tampering and listing behind the CLI.
 */
export function useS3Server() {
  let server: S3TestServer | undefined
  const stores: S3ObjectStore[] = []
  beforeAll(async () => {
    server = await startS3Server('fauxqs')
    await server.createBucket(BUCKET)
  })
  afterAll(async () => {
    for (const store of stores) store.close()
    await server?.stop()
  })
  const running = (): S3TestServer => {
    if (!server) throw new Error('the S3 test server is not running (used outside a test?)')
    return server
  }
  return {
    get endpoint(): string {
      return running().endpoint
    },
    /** Settings for `s3://` and `r2://` specs on the test server, plus `extra`. */
    env(extra: CliEnv = {}): CliEnv {
      const { endpoint, credentials } = running()
      return cliEnv({
        CFB_S3_ENDPOINT: endpoint,
        CFB_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        CFB_R2_ENDPOINT: endpoint,
        CFB_R2_ACCESS_KEY: credentials.accessKeyId,
        CFB_R2_SECRET_KEY: credentials.secretAccessKey,
        ...extra,
      })
    },
    /** A plain S3 client on `s3://BUCKET/<prefix>`, outside the CLI. */
    store(prefix: string): S3ObjectStore {
      const { endpoint, credentials, region } = running()
      const store = new S3ObjectStore({ bucket: BUCKET, prefix, endpoint, region, forcePathStyle: true, credentials })
      stores.push(store)
      return store
    },
  }
}

/** Every object key under a store's root, with size and ETag, in listing order. */
export async function listing(store: S3ObjectStore): Promise<string[]> {
  const out: string[] = []
  for await (const entry of store.list('')) {
    if (entry.kind === 'object') out.push(`${entry.key} ${entry.size} ${entry.etag ?? ''}`)
  }
  return out
}

/** How many objects are under a store's root, stopping early at `atLeast`. */
export async function countObjects(store: S3ObjectStore, atLeast = Number.POSITIVE_INFINITY): Promise<number> {
  let n = 0
  for await (const entry of store.list('')) {
    if (entry.kind === 'object' && ++n >= atLeast) break
  }
  return n
}
