import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import { StorageError, type StoreCapabilities } from '@cfb/storage-core'
import type { S3StorageOptions } from '@cfb/storage-s3'

export type R2Jurisdiction = 'eu' | 'fedramp'

export interface R2StorageOptions {
  accountId?: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  /** `eu` or `fedramp` buckets live behind their own endpoint. */
  jurisdiction?: R2Jurisdiction
  /** Overrides the endpoint built from the account id (a test server, say). */
  endpoint?: string
  prefix?: string
  maxAttempts?: number
  concurrency?: number
  client?: S3Client
  /** Overrides of what the server can do (a local test server lacks conditional PUT). */
  capabilities?: Partial<StoreCapabilities>
  /** See `ObjectStorageOptions.singleWriter`: only for servers without conditional create. */
  singleWriter?: boolean
}

/** R2 accepts at most 700 keys per DeleteObjects (S3: 1,000). */
export const R2_DELETE_BATCH = 700
const JURISDICTIONS = new Set<string>(['eu', 'fedramp'])

/** `https://<accountId>.r2.cloudflarestorage.com`, or `https://<accountId>.<jurisdiction>.r2...`. */
export function r2Endpoint(accountId: string, jurisdiction?: string): string {
  if (!/^[A-Za-z0-9]{1,64}$/.test(accountId)) {
    throw new StorageError('CONFIG', 'the R2 account id must be letters and digits', { backend: 'r2' })
  }
  if (jurisdiction !== undefined && !JURISDICTIONS.has(jurisdiction)) {
    throw new StorageError('CONFIG', `unknown R2 jurisdiction ${JSON.stringify(jurisdiction.slice(0, 16))}: use eu or fedramp`, {
      backend: 'r2',
    })
  }
  return `https://${accountId}.${jurisdiction ? `${jurisdiction}.` : ''}r2.cloudflarestorage.com`
}

/**
 * R2 stores keys normalised to NFC, so `café` in NFC and in NFD would silently become one object.
 * Refusing keys that are not NFC makes that a clear error instead of a merge.
 */
export function checkR2Key(key: string): void {
  if (key.normalize('NFC') !== key) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `R2 normalises keys to NFC, so this key would merge with its NFC form; pass key.normalize('NFC')`,
      { backend: 'r2', key },
    )
  }
}

/** The S3 options that make an S3 client speak R2. */
export function r2Profile(options: R2StorageOptions): S3StorageOptions {
  const endpoint =
    options.endpoint ??
    (options.accountId !== undefined
      ? r2Endpoint(options.accountId, options.jurisdiction)
      : (() => {
          throw new StorageError('CONFIG', 'R2 needs an account id or an endpoint', { backend: 'r2' })
        })())
  // The prefix is part of every key: R2 would merge a non-NFC one with its NFC form too.
  if (options.prefix !== undefined && options.prefix.normalize('NFC') !== options.prefix) {
    throw new StorageError('CONFIG', "the R2 prefix is not NFC; pass prefix.normalize('NFC')", { backend: 'r2' })
  }
  return {
    bucket: options.bucket,
    prefix: options.prefix,
    endpoint,
    region: 'auto',
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    client: options.client,
    maxAttempts: options.maxAttempts,
    concurrency: options.concurrency,
    backendName: 'r2',
    deleteBatchSize: R2_DELETE_BATCH,
    checkKey: checkR2Key,
    capabilities: { distinctUnicodeNormalization: false, ...options.capabilities },
    singleWriter: options.singleWriter,
    // R2 answers 501 to the SDK's default CRC32 checksum headers.
    clientConfig: { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' },
  }
}

/**
 * DeleteObjects still carries a CRC32 checksum under WHEN_REQUIRED (S3 requires one); R2 takes
 * Content-MD5 instead. Runs after the SDK's checksum middleware and swaps the headers.
 */
export function useContentMd5ForDeletes(client: S3Client): void {
  client.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const request = args.request
      if (context.commandName === 'DeleteObjectsCommand' && request?.headers && request.body !== undefined) {
        for (const name of Object.keys(request.headers)) {
          const lower = name.toLowerCase()
          if (lower.startsWith('x-amz-checksum-') || lower === 'x-amz-sdk-checksum-algorithm') delete request.headers[name]
        }
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64')
      }
      return next(args)
    },
    // Commands add the checksum middleware at normal priority of the build step; low runs after it.
    { step: 'build', priority: 'low', name: 'r2ContentMd5Middleware', override: true },
  )
}
