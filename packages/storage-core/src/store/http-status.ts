import type { StorageErrorCode } from '../errors.js'

const BY_STATUS: Record<number, StorageErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'PERMISSION_DENIED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'NOT_SUPPORTED',
  408: 'UNAVAILABLE',
  409: 'CONFLICT',
  // A failed precondition (`If-None-Match: *` on an existing key): another writer got there first.
  412: 'CONFLICT',
  416: 'INVALID_ARGUMENT',
  429: 'UNAVAILABLE',
  501: 'NOT_SUPPORTED',
}

/**
 * The `StorageError` code for an HTTP status an object service answered with, for adapters that
 * have no better name for the error: a refused request (other 4xx) is `INVALID_ARGUMENT`, a server
 * that failed or was unreachable (5xx, or any status that is not an error) is `UNAVAILABLE`,
 * which callers may retry.
 */
export function codeForHttpStatus(status: number): StorageErrorCode {
  const known = BY_STATUS[status]
  if (known) return known
  if (status >= 400 && status < 500) return 'INVALID_ARGUMENT'
  return 'UNAVAILABLE'
}
