import { StorageError, type StorageErrorCode } from '@cfb/storage-core'

interface SdkError {
  name?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
  $fault?: 'client' | 'server'
  $retryable?: unknown
}

const BY_NAME: Record<string, StorageErrorCode> = {
  NoSuchKey: 'NOT_FOUND',
  NotFound: 'NOT_FOUND',
  NoSuchBucket: 'CONFIG',
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

const BY_STATUS: Record<number, StorageErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'PERMISSION_DENIED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'CONFLICT',
  416: 'INVALID_ARGUMENT',
  501: 'NOT_SUPPORTED',
}

/** The stable code for an SDK (or network) error: by S3 error name, then HTTP status. */
export function codeOf(error: unknown): StorageErrorCode {
  const e = (error ?? {}) as SdkError
  const byName = BY_NAME[e.name ?? ''] ?? BY_NAME[e.code ?? '']
  if (byName) return byName
  const status = e.$metadata?.httpStatusCode
  if (status !== undefined) {
    if (status >= 500 || status === 429) return 'UNAVAILABLE'
    const byStatus = BY_STATUS[status]
    if (byStatus) return byStatus
  }
  // Connection resets, DNS failures, aborted sockets: the network, not the request.
  return 'UNAVAILABLE'
}

/**
 * Maps an SDK error to a `StorageError` naming the operation, bucket and key. The SDK's own message
 * is kept (it never holds credentials); request headers are not.
 */
export function toStorageError(
  error: unknown,
  context: { backend: string; bucket: string; operation: string; key?: string; objectKey?: string },
): StorageError {
  if (error instanceof StorageError) return error
  const e = (error ?? {}) as SdkError
  const code = codeOf(error)
  const objectKey = context.objectKey ?? context.key
  const where = `s3://${context.bucket}${objectKey === undefined ? '' : `/${objectKey}`}`
  const status = e.$metadata?.httpStatusCode
  // An S3 answer is named by its error code and status; anything else (a socket) by its message.
  const detail = status !== undefined ? [e.name, `HTTP ${status}`].filter(Boolean).join(', ') : `${e.name ?? 'Error'}: ${e.message ?? ''}`
  const reason = code === 'CONFIG' ? ` (bucket ${context.bucket} does not exist)` : ''
  return new StorageError(code, `${context.operation} ${where} failed${reason}: ${detail || e.message || 'unknown error'}`, {
    backend: context.backend,
    key: context.key,
    cause: error,
  })
}
