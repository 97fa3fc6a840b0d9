/** Stable error codes. Messages may change between releases; codes may not. */
export type StorageErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'CONFLICT'
  | 'SCHEMA_MISMATCH'
  | 'CORRUPT_DATA'
  | 'UNAVAILABLE'
  | 'PERMISSION_DENIED'
  | 'NOT_SUPPORTED'
  | 'CONFIG'

export interface StorageErrorOptions {
  /** Backend name, e.g. `local`, `s3`, `memory`. */
  backend?: string
  /** The key (path relative to the root) the failure concerns. */
  key?: string
  cause?: unknown
}

/** The one error type every backend throws. Branch on `code`, never on `message`. */
export class StorageError extends Error {
  override readonly name = 'StorageError'
  readonly code: StorageErrorCode
  readonly backend: string | undefined
  readonly key: string | undefined

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.backend = options.backend
    this.key = options.key
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code)
}

/** Fills in backend and key on an error raised below the facade, without losing its code. */
export function withContext(error: unknown, backend: string, key?: string): StorageError {
  if (error instanceof StorageError) {
    if (error.backend !== undefined && (error.key !== undefined || key === undefined)) return error
    const wrapped = new StorageError(error.code, error.message, {
      backend: error.backend ?? backend,
      key: error.key ?? key,
      cause: error.cause,
    })
    wrapped.stack = error.stack
    return wrapped
  }
  const message = error instanceof Error ? error.message : String(error)
  return new StorageError('UNAVAILABLE', message, { backend, key, cause: error })
}
