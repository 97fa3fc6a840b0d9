import { mapConcurrent } from './concurrency.js'
import { StorageError, type StorageErrorCode } from '../errors.js'

/** One key a batch delete request could not delete (multi-delete APIs answer 200 and list these). */
export interface KeyFailure {
  key: string
  code: StorageErrorCode
  /** The service's own word for it (`AccessDenied`), for the message. */
  reason?: string
}

export interface DeleteBatchesOptions {
  /** Keys per request (S3: 1,000; R2: 700). */
  batchSize: number
  /** Requests in flight at once. Default 4. */
  concurrency?: number
  /** Backend name for errors. */
  backend: string
  /** Deletes one batch; resolves with the keys it could not delete (a missing key is not a failure). */
  deleteBatch(keys: readonly string[]): Promise<readonly KeyFailure[]>
}

/**
 * Deletes any number of keys in batches of at most `batchSize`. A key reported `NOT_FOUND` is
 * already gone, which is what was asked; any other per-key failure fails the call with that key's
 * code, naming the key and how many more failed. A request that throws fails the call as it threw.
 */
export async function deleteInBatches(keys: readonly string[], options: DeleteBatchesOptions): Promise<void> {
  if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) {
    throw new StorageError('CONFIG', `batchSize must be a whole number of at least 1, not ${options.batchSize}`, {
      backend: options.backend,
    })
  }
  const batches: string[][] = []
  for (let i = 0; i < keys.length; i += options.batchSize) batches.push(keys.slice(i, i + options.batchSize))
  const failures = (await mapConcurrent(batches, Math.max(1, options.concurrency ?? 4), options.deleteBatch))
    .flat()
    .filter((failure) => failure.code !== 'NOT_FOUND')
  if (failures.length === 0) return
  const first = failures[0]!
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more keys)` : ''
  throw new StorageError(first.code, `delete of ${first.key} failed${first.reason ? `: ${first.reason}` : ''}${more}`, {
    backend: options.backend,
    key: first.key,
  })
}
