import { codeForHttpStatus, type RetryClassifier, StorageError, type StorageErrorCode } from '@cfb/storage-core'

interface SdkError {
  name?: string
  code?: string
  /** The error code of an S3 answer the SDK has no class for. */
  Code?: string
  message?: string
  $metadata?: { httpStatusCode?: number; attempts?: number }
  $fault?: 'client' | 'server'
  $retryable?: unknown
}

const BY_NAME: Record<string, StorageErrorCode> = {
  NoSuchKey: 'NOT_FOUND',
  NotFound: 'NOT_FOUND',
  NoSuchBucket: 'CONFIG',
  // No credentials anywhere in the chain: a setup problem, not an outage.
  CredentialsProviderError: 'CONFIG',
  NoSuchUpload: 'NOT_FOUND',
  AccessDenied: 'PERMISSION_DENIED',
  Forbidden: 'PERMISSION_DENIED',
  InvalidAccessKeyId: 'PERMISSION_DENIED',
  SignatureDoesNotMatch: 'PERMISSION_DENIED',
  ExpiredToken: 'PERMISSION_DENIED',
  InvalidToken: 'PERMISSION_DENIED',
  AllAccessDisabled: 'PERMISSION_DENIED',
  PreconditionFailed: 'CONFLICT',
  ConditionalRequestConflict: 'CONFLICT',
  NotImplemented: 'NOT_SUPPORTED',
  InvalidArgument: 'INVALID_ARGUMENT',
  KeyTooLongError: 'INVALID_ARGUMENT',
  EntityTooLarge: 'INVALID_ARGUMENT',
  SlowDown: 'UNAVAILABLE',
  Throttling: 'UNAVAILABLE',
  ThrottlingException: 'UNAVAILABLE',
  RequestTimeout: 'UNAVAILABLE',
  RequestTimeTooSkewed: 'UNAVAILABLE',
  InternalError: 'UNAVAILABLE',
  ServiceUnavailable: 'UNAVAILABLE',
  TimeoutError: 'UNAVAILABLE',
}

/** Error codes S3 answers that a retry may cure, beyond any 5xx (as the SDK's standard mode). */
const TRANSIENT_CODES = new Set(['RequestTimeout', 'RequestTimeTooSkewed'])
const THROTTLING_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'TooManyRequestsException'])

/** The stable code for an SDK (or network) error: by S3 error name or code, then HTTP status. */
export function codeOf(error: unknown): StorageErrorCode {
  const e = (error ?? {}) as SdkError
  const byName = BY_NAME[e.name ?? ''] ?? BY_NAME[e.Code ?? ''] ?? BY_NAME[e.code ?? '']
  if (byName) return byName
  const status = e.$metadata?.httpStatusCode
  if (status !== undefined) return codeForHttpStatus(status)
  // Connection resets, DNS failures, aborted sockets: the network, not the request.
  return 'UNAVAILABLE'
}

/**
 * The base of the backoff before another attempt, or `undefined` when none may succeed. As in the
 * SDK's standard mode: 100 ms for no answer (once credentials were found), a server fault or a
 * transient code; 500 ms when the server asks to slow down.
 */
export const retryBaseMs: RetryClassifier = (error) => {
  const e = (error ?? {}) as SdkError
  const status = e.$metadata?.httpStatusCode
  if (status === undefined) return e.name === 'CredentialsProviderError' ? undefined : 100
  if (status === 429 || THROTTLING_CODES.has(e.name ?? '')) return 500
  return status >= 500 || TRANSIENT_CODES.has(e.name ?? '') ? 100 : undefined
}

/**
 * Maps an SDK error to a `StorageError` naming the operation, bucket and key, and for `UNAVAILABLE`
 * how many attempts failed in how long (`startedAt` is when the operation began), so a caller
 * sees that the wait was bounded. The SDK's own message is kept (it never holds credentials);
 * request headers are not.
 */
export function toStorageError(
  error: unknown,
  context: {
    backend: string
    bucket: string
    operation: string
    key?: string
    objectKey?: string
    startedAt?: number
    /** Attempts made, when the error does not carry the SDK's count (a body read is retried by us). */
    attempts?: number
  },
): StorageError {
  if (error instanceof StorageError) return error
  const e = (error ?? {}) as SdkError
  const code = codeOf(error)
  const objectKey = context.objectKey ?? context.key
  const where = `s3://${context.bucket}${objectKey === undefined ? '' : `/${objectKey}`}`
  const status = e.$metadata?.httpStatusCode
  // An S3 answer is named by its error code and status; anything else (a socket) by its message.
  const detail = status !== undefined ? [e.name, `HTTP ${status}`].filter(Boolean).join(', ') : `${e.name ?? 'Error'}: ${e.message ?? ''}`
  const reason =
    e.name === 'CredentialsProviderError'
      ? ' (no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile)'
      : code === 'CONFIG'
        ? ` (bucket ${context.bucket} does not exist)`
        : code === 'UNAVAILABLE'
          ? tried(e, context)
          : ''
  return new StorageError(code, `${context.operation} ${where} failed${reason}: ${detail || e.message || 'unknown error'}`, {
    backend: context.backend,
    key: context.key,
    cause: error,
  })
}

/** ` after 3 attempts in 4.2 s`, from what is known of the retries. */
function tried(error: SdkError, context: { startedAt?: number; attempts?: number }): string {
  const attempts = context.attempts ?? error.$metadata?.attempts
  const count = attempts === undefined ? undefined : `${attempts} attempt${attempts === 1 ? '' : 's'}`
  const time = context.startedAt === undefined ? undefined : `${((Date.now() - context.startedAt) / 1000).toFixed(1)} s`
  if (count && time) return ` after ${count} in ${time}`
  return count || time ? ` after ${count ?? time}` : ''
}
