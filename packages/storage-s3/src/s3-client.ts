import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { S3Client as Client, S3ClientConfig } from '@aws-sdk/client-s3'
import type { StoreCapabilities } from '@cfb/storage-core'
import { NodeHttpHandler, S3Client } from './sdk.js'

/** Defaults shared by the client and the store's own retries and batches. */
export const DEFAULT_MAX_ATTEMPTS = 5
export const DEFAULT_CONCURRENCY = 32

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface S3ObjectStoreOptions {
  bucket: string
  /** Key prefix inside the bucket that acts as the root (`raw/` or `team/cfb`). */
  prefix?: string
  region?: string
  endpoint?: string
  forcePathStyle?: boolean
  /** Explicit credentials; otherwise the SDK's default chain (which reads `AWS_*` first). */
  credentials?: S3Credentials
  /** A ready client; the options above that configure a client are then ignored. */
  client?: Client
  /** Attempts per request, retries included (standard retry mode; GET bodies too). Default 5. */
  maxAttempts?: number
  /** Sockets kept per host, and requests in flight for one batch operation. Default 32. */
  concurrency?: number
  /** Milliseconds to establish a connection. Default 5,000. */
  connectionTimeoutMs?: number
  /**
   * Milliseconds a connection may stay silent (waiting for an answer, or inside a body) before the
   * attempt fails and is retried. Default 60,000.
   */
  requestTimeoutMs?: number
  /** Objects larger than this go up as multipart, in parts of exactly this size. Default 8 MiB. */
  partSize?: number
  /** Keys per `DeleteObjects` request (S3 allows 1,000). */
  deleteBatchSize?: number
  /** Name used in errors. Default `s3`. */
  backendName?: string
  /** Overrides of what the server can do (test servers lack conditional PUT, for instance). */
  capabilities?: Partial<StoreCapabilities>
  /** Extra client settings a profile (such as R2) needs. */
  clientConfig?: Partial<S3ClientConfig>
  /** Checks a key before it is sent (R2 refuses keys that are not NFC, for instance). */
  checkKey?: (key: string) => void
}

/** Builds the S3 client: standard retries, timeouts, keep-alive with a bounded socket pool. */
export function createS3Client(options: S3ObjectStoreOptions): Client {
  const sockets = options.concurrency ?? DEFAULT_CONCURRENCY
  return new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      // Socket inactivity, not the handler's `requestTimeout`: that one only logs a warning unless
      // told to throw, so a server that stops answering hung the caller for ever; and it counts a
      // slow upload's progress as waiting. Inactivity also ends a body that stalls midway.
      socketTimeout: options.requestTimeoutMs ?? 60_000,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: sockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: sockets }),
    }),
    ...options.clientConfig,
  })
}
