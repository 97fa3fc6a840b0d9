import type { DeleteObjectsCommandOutput, GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3'
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
  withRetry,
} from '@cfb/storage-core'
import { DIRECT_PUT_MAX_BYTES, DirectPut } from './direct-put.js'
import { readWholeBody } from './response-body.js'
import { createS3Client, DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, type S3ObjectStoreOptions } from './s3-client.js'
import { codeOf, retryBaseMs, toStorageError } from './s3-errors.js'
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, paginateListObjectsV2, PutObjectCommand } from './sdk.js'

const MIB = 1024 * 1024

function normalizePrefixOption(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '' : `${trimmed}/`
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
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
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
    // The SDK retries a request until its headers arrive, never a body that breaks after them:
    // that retry is ours, within the same attempt budget (the SDK's attempts count in it).
    let attempts = 0
    /** The SDK's failure, after its own retries: final. */
    let sdkFailure: StorageError | undefined
    return withRetry(
      async () => {
        let response: GetObjectCommandOutput
        try {
          response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: header }))
        } catch (error) {
          // A range that starts at or past the end (416) reads as empty, like a slice past the end.
          const sdk = error as { $metadata?: { httpStatusCode?: number; attempts?: number } }
          if (isEmptyRangeAnswer(sdk.$metadata?.httpStatusCode, ranged)) return new Uint8Array(0)
          sdkFailure = this.fail(error, 'GET', key, startedAt, attempts + (sdk.$metadata?.attempts ?? 1))
          throw sdkFailure
        }
        attempts += response.$metadata.attempts ?? 1
        const bytes = await readWholeBody(response)
        return ranged ? cutToRange(bytes, response.ContentRange, asked.start, asked.end) : bytes
      },
      {
        maxAttempts: this.maxAttempts,
        retryable: (error) => (error === sdkFailure || attempts >= this.maxAttempts ? undefined : 100),
        giveUp: (error) => this.fail(error, 'GET', key, startedAt, attempts),
      },
    )
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
      // Loaded here: most runs never upload a large object, and the module is slow to load.
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
    await withRetry(() => direct.put(params.Key, params.Body, headers), {
      maxAttempts: this.maxAttempts,
      retryable: retryBaseMs,
      giveUp: (error, attempts) => this.fail(error, 'PUT', key, startedAt, attempts),
    })
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
        if (page.IsTruncated && !token) throw this.brokenListing(prefix, 'a truncated listing page carried no continuation token')
        if (token !== undefined) {
          // A server that hands back a token it already gave would make the paginator loop forever.
          if (seenTokens.has(token)) throw this.brokenListing(prefix, 'the listing repeated a continuation token')
          seenTokens.add(token)
        }
        pageStartedAt = Date.now()
      }
    } catch (error) {
      throw this.fail(error, 'LIST', prefix, pageStartedAt)
    }
  }

  /** A server whose pages cannot be followed to the end: no retry would list the prefix whole. */
  private brokenListing(prefix: string, detail: string): StorageError {
    return new StorageError('UNAVAILABLE', `LIST s3://${this.bucket}/${this.prefix}${prefix} failed: ${detail}`, {
      backend: this.name,
      key: prefix,
    })
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
