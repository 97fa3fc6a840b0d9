import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import {
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import {
  type ByteRange,
  cutToRange,
  deleteInBatches,
  httpRange,
  isEmptyRangeAnswer,
  type ListEntry,
  type ListOptions,
  MAX_KEY_BYTES,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  StorageError,
  type StoreCapabilities,
} from '@cfb/storage-core'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { DIRECT_PUT_MAX_BYTES, DirectPut, retryBaseMs } from './direct-put.js'
import { codeOf, toStorageError } from './s3-errors.js'

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
  client?: S3Client
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

const MIB = 1024 * 1024

function normalizePrefixOption(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '' : `${trimmed}/`
}

/** Builds the S3 client: standard retries, timeouts, keep-alive with a bounded socket pool. */
export function createS3Client(options: S3ObjectStoreOptions): S3Client {
  const sockets = options.concurrency ?? 32
  return new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 5,
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

/** `ObjectStore` over one bucket (and prefix) of S3 or an S3-compatible server. */
export class S3ObjectStore implements ObjectStore {
  readonly name: string
  readonly capabilities: StoreCapabilities
  readonly client: S3Client
  readonly bucket: string
  readonly prefix: string
  private readonly partSize: number
  private readonly deleteBatchSize: number
  private readonly concurrency: number
  private readonly maxAttempts: number
  private readonly checkKey: (key: string) => void
  /** Only a client this store made is closed with it; a caller's client stays the caller's. */
  private readonly ownsClient: boolean
  /** Small PUTs past the SDK's middleware; only on a client this store made, whose stack it knows. */
  private directPut: Promise<DirectPut | undefined> | undefined

  constructor(options: S3ObjectStoreOptions) {
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new StorageError('CONFIG', 'an S3 bucket name is required', { backend: options.backendName ?? 's3' })
    }
    this.name = options.backendName ?? 's3'
    this.bucket = options.bucket
    this.prefix = normalizePrefixOption(options.prefix)
    this.client = options.client ?? createS3Client(options)
    this.ownsClient = options.client === undefined
    this.partSize = options.partSize ?? 8 * MIB
    this.deleteBatchSize = Math.min(options.deleteBatchSize ?? 1000, 1000)
    this.concurrency = options.concurrency ?? 32
    this.maxAttempts = options.maxAttempts ?? 5
    this.checkKey = options.checkKey ?? (() => {})
    this.capabilities = {
      conditionalPut: true,
      delimiterListing: true,
      distinctUnicodeNormalization: true,
      rangedReadOfEmptyObject: true,
      objectMetadata: true,
      ...options.capabilities,
    }
  }

  private objectKey(key: string): string {
    this.checkKey(key)
    const full = this.prefix + key
    if (Buffer.byteLength(full) > MAX_KEY_BYTES) {
      throw new StorageError('INVALID_ARGUMENT', `key is over ${MAX_KEY_BYTES} bytes with the prefix ${this.prefix}`, {
        backend: this.name,
        key,
      })
    }
    return full
  }

  /** `startedAt` (and `attempts`, when the SDK error does not carry them) go into the message. */
  private fail(error: unknown, operation: string, key?: string, startedAt?: number, attempts?: number): StorageError {
    return toStorageError(error, {
      backend: this.name,
      bucket: this.bucket,
      operation,
      key,
      objectKey: key === undefined ? this.prefix : this.prefix + key,
      startedAt,
      attempts,
    })
  }

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
  async get(key: string, range: ByteRange = {}): Promise<Uint8Array> {
    const asked = httpRange(range)
    if (asked.kind === 'empty') return new Uint8Array(0)
    const ranged = asked.kind === 'range'
    const header = ranged ? asked.header : undefined
    const objectKey = this.objectKey(key)
    const startedAt = Date.now()
    let attempts = 0
    for (;;) {
      let response: GetObjectCommandOutput
      try {
        response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: header }))
      } catch (error) {
        // A range that starts at or past the end (416) reads as empty, like a slice past the end.
        const sdk = error as { $metadata?: { httpStatusCode?: number; attempts?: number } }
        if (isEmptyRangeAnswer(sdk.$metadata?.httpStatusCode, ranged)) return new Uint8Array(0)
        throw this.fail(error, 'GET', key, startedAt, attempts + (sdk.$metadata?.attempts ?? 1))
      }
      attempts += response.$metadata.attempts ?? 1
      try {
        const bytes = await readWholeBody(response)
        return ranged ? cutToRange(bytes, response.ContentRange, asked.start, asked.end) : bytes
      } catch (error) {
        // The SDK retries a request until its headers arrive, never a body that breaks after
        // them: that retry is ours, within the same attempt budget.
        if (attempts >= this.maxAttempts) throw this.fail(error, 'GET', key, startedAt, attempts)
        await sleep(backoffMs(attempts))
      }
    }
  }

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
  async head(key: string): Promise<ObjectInfo> {
    const startedAt = Date.now()
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }))
      return {
        key,
        size: response.ContentLength ?? 0,
        lastModified: response.LastModified,
        etag: response.ETag,
        metadata: response.Metadata,
      }
    } catch (error) {
      throw this.fail(error, 'HEAD', key, startedAt)
    }
  }

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    // Dropping the header would turn a create-only put into an overwrite the caller never sees.
    if (options.ifNoneMatch !== undefined && !this.capabilities.conditionalPut) {
      throw new StorageError(
        'NOT_SUPPORTED',
        `PUT s3://${this.bucket}/${this.prefix}${key}: this store is configured without conditional put (capabilities.conditionalPut: false), so it cannot create only if absent`,
        { backend: this.name, key },
      )
    }
    const params = {
      Bucket: this.bucket,
      Key: this.objectKey(key),
      Body: bytes,
      ContentType: options.contentType ?? 'application/octet-stream',
      Metadata: options.metadata,
      IfNoneMatch: options.ifNoneMatch,
    }
    const startedAt = Date.now()
    const direct = bytes.length <= DIRECT_PUT_MAX_BYTES ? await this.openDirectPut() : undefined
    if (direct) return this.putDirect(direct, key, params, startedAt)
    try {
      if (bytes.length <= this.partSize) {
        await this.client.send(new PutObjectCommand({ ...params, ContentLength: bytes.length }))
        return
      }
      // Fixed-size parts (R2 rejects unequal non-trailing parts); failed uploads are aborted.
      // Loaded here: most runs never upload a large object, and it is 17 ms of startup.
      const { Upload } = await import('@aws-sdk/lib-storage')
      const upload = new Upload({
        client: this.client,
        params,
        partSize: this.partSize,
        queueSize: 4,
        leavePartsOnError: false,
      })
      await upload.done()
    } catch (error) {
      throw this.fail(error, 'PUT', key, startedAt)
    }
  }

  /** The direct path, once per store; `undefined` (the SDK's path) for a caller's client or S3 Express. */
  private openDirectPut(): Promise<DirectPut | undefined> {
    if (!this.ownsClient) return Promise.resolve(undefined)
    // A bucket the endpoint rules refuse fails on the SDK's path, with the SDK's message.
    this.directPut ??= DirectPut.open(this.client, this.bucket).catch(() => undefined)
    return this.directPut
  }

  /** One PUT with the SDK's attempt budget and backoff: a whole-object PUT is safe to repeat. */
  private async putDirect(
    direct: DirectPut,
    key: string,
    params: { Key: string; Body: Uint8Array; ContentType: string; Metadata?: Record<string, string>; IfNoneMatch?: string },
    startedAt: number,
  ): Promise<void> {
    const headers: Record<string, string> = { 'content-type': params.ContentType }
    for (const [name, value] of Object.entries(params.Metadata ?? {})) headers[`x-amz-meta-${name.toLowerCase()}`] = value
    if (params.IfNoneMatch) headers['if-none-match'] = params.IfNoneMatch
    for (let attempts = 1; ; attempts++) {
      try {
        await direct.put(params.Key, params.Body, headers)
        return
      } catch (error) {
        const base = retryBaseMs(error)
        if (attempts >= this.maxAttempts || base === undefined) throw this.fail(error, 'PUT', key, startedAt, attempts)
        await sleep(backoffMs(attempts, base))
      }
    }
  }

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ListEntry> {
    const strip = this.prefix.length
    const seenTokens = new Set<string>()
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: Math.min(Math.max(options.limit ?? 1000, 1), 1000) },
      {
        Bucket: this.bucket,
        Prefix: this.prefix + prefix,
        Delimiter: options.delimiter,
        StartAfter: options.startAfter === undefined ? undefined : this.prefix + options.startAfter,
      },
    )
    // Timed per page: the time between pages is the caller's.
    let pageStartedAt = Date.now()
    try {
      for await (const page of pages) {
        const objects: ListEntry[] = (page.Contents ?? []).map((o) => ({
          kind: 'object',
          key: (o.Key ?? '').slice(strip),
          size: o.Size ?? 0,
          lastModified: o.LastModified,
          etag: o.ETag,
        }))
        const prefixes: ListEntry[] = (page.CommonPrefixes ?? []).map((p) => ({
          kind: 'prefix',
          prefix: (p.Prefix ?? '').slice(strip),
        }))
        yield* mergeSorted(objects, prefixes)
        const token = page.NextContinuationToken
        if (page.IsTruncated && !token) throw new Error('a truncated listing page carried no continuation token')
        if (token !== undefined) {
          // A server that hands back a token it already gave would make the paginator loop forever.
          if (seenTokens.has(token)) throw new Error('the listing repeated a continuation token')
          seenTokens.add(token)
        }
        pageStartedAt = Date.now()
      }
    } catch (error) {
      if (error instanceof Error && !('$metadata' in error) && error.message.includes('continuation token')) {
        throw new StorageError('UNAVAILABLE', `LIST s3://${this.bucket}/${this.prefix}${prefix} failed: ${error.message}`, {
          backend: this.name,
          key: prefix,
          cause: error,
        })
      }
      throw this.fail(error, 'LIST', prefix, pageStartedAt)
    }
  }

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
  async delete(keys: readonly string[]): Promise<void> {
    await deleteInBatches(keys, {
      batchSize: this.deleteBatchSize,
      concurrency: Math.max(1, Math.min(4, this.concurrency)),
      backend: this.name,
      deleteBatch: async (batch) => {
        let response: DeleteObjectsCommandOutput
        const startedAt = Date.now()
        try {
          response = await this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: batch.map((key) => ({ Key: this.objectKey(key) })), Quiet: true },
            }),
          )
        } catch (error) {
          throw this.fail(error, 'DELETE', batch[0], startedAt)
        }
        // DeleteObjects answers 200 even when some keys failed: the failures are in the body.
        return (response.Errors ?? []).map((e) => ({
          key: (e.Key ?? '').slice(this.prefix.length),
          code: codeOf({ name: e.Code }),
          reason: `DELETE s3://${this.bucket}/${e.Key}: ${e.Code}`,
        }))
      },
    })
  }

  root(): string {
    return `s3://${this.bucket}/${this.prefix}`
  }

  fullPath(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`
  }

  /** Closes the sockets of a client this store made. */
  close(): void {
    if (this.ownsClient) this.client.destroy()
  }
}

/** Merges a page's objects and common prefixes (each sorted) into one lexical sequence. */
function mergeSorted(objects: ListEntry[], prefixes: ListEntry[]): ListEntry[] {
  if (prefixes.length === 0) return objects
  const name = (e: ListEntry) => Buffer.from(e.kind === 'object' ? e.key : e.prefix, 'utf8')
  return [...objects, ...prefixes].sort((a, b) => Buffer.compare(name(a), name(b)))
}

/**
 * The whole body, or an error when it broke off or fewer bytes came than `Content-Length` said.
 * Node's parser already fails a body closed short of its length; the count also holds for any
 * other request handler given in `clientConfig`, so a cut body never passes for a short object.
 */
async function readWholeBody(response: GetObjectCommandOutput): Promise<Uint8Array> {
  let bytes: Uint8Array
  try {
    bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0)
  } catch (cause) {
    throw incompleteBody(`the connection broke (${(cause as Error).message})`, cause)
  }
  const expected = response.ContentLength
  if (expected !== undefined && bytes.length !== expected) {
    throw incompleteBody(`${bytes.length} of ${expected} bytes arrived`)
  }
  return bytes
}

function incompleteBody(detail: string, cause?: unknown): Error {
  const error = new Error(`the response body was cut short: ${detail}`, { cause })
  error.name = 'IncompleteBody'
  return error
}

/** Full-jitter exponential backoff, as the SDK's standard mode does: up to 100, 200, 400 ms ... 2 s. */
function backoffMs(attempt: number, base = 100): number {
  return Math.random() * Math.min(2_000, base * 2 ** (attempt - 1))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
