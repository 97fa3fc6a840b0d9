import { mapConcurrent } from '../store/concurrency.js'
import { StorageError } from '../errors.js'
import type { ObjectInfo, ObjectStore } from '../store/object-store.js'
import { type ChecksumMode, objectSha256, SHA256_METADATA, sha256Hex } from './digest.js'
import { listObjects } from './listing.js'

export interface TransferProgress {
  phase: 'listing' | 'comparing' | 'copying' | 'deleting' | 'done'
  /** Objects handled so far in this phase, and in all. */
  done: number
  total: number
  /** Bytes copied so far, and to copy in all. */
  bytes: number
  totalBytes: number
}

export interface MigrateOptions {
  /** Only keys under these prefixes (default: everything). */
  prefixes?: readonly string[]
  /** Objects in flight at once (default 8). */
  concurrency?: number
  /** Plan only: report what would be copied and deleted, write nothing. */
  dryRun?: boolean
  /** Also delete destination objects the source does not have (under the same prefixes). */
  deleteExtra?: boolean
  /** How an object present on both sides with the same size is compared (default `metadata`). */
  checksum?: ChecksumMode
  onProgress?: (progress: TransferProgress) => void
}

export interface MigrateResult {
  /** Keys copied (or, with `dryRun`, that would be). */
  copied: string[]
  /** Keys already identical on the destination. */
  skipped: number
  /** Extra destination keys deleted (or that would be). */
  deleted: string[]
  bytesCopied: number
  dryRun: boolean
}

/**
 * Copies what is missing or different from `from` to `to`, skipping what is identical (size, then
 * SHA-256). Every object is written with its SHA-256 as metadata, so a later verify need not
 * download it. Safe to interrupt: each object lands whole or not at all, and a rerun copies only
 * what is left.
 */
export async function migrate(from: ObjectStore, to: ObjectStore, options: MigrateOptions = {}): Promise<MigrateResult> {
  const concurrency = checkConcurrency(options.concurrency ?? 8)
  const prefixes = options.prefixes ?? ['']
  const mode = options.checksum ?? 'metadata'
  const report = options.onProgress ?? (() => {})
  report({ phase: 'listing', done: 0, total: 0, bytes: 0, totalBytes: 0 })
  const [source, dest] = await Promise.all([listObjects(from, prefixes), listObjects(to, prefixes)])

  // Same size on both sides: compare checksums. Different size or missing: copy.
  const candidates = [...source.values()]
  let compared = 0
  const needsCopy = await mapConcurrent(candidates, concurrency, async (info) => {
    const there = dest.get(info.key)
    let copy = there === undefined || there.size !== info.size
    if (!copy) copy = (await objectSha256(from, info.key, mode)) !== (await objectSha256(to, info.key, mode))
    report({ phase: 'comparing', done: ++compared, total: candidates.length, bytes: 0, totalBytes: 0 })
    return copy
  })
  const toCopy: ObjectInfo[] = candidates.filter((_, i) => needsCopy[i])
  const extra = options.deleteExtra ? [...dest.keys()].filter((key) => !source.has(key)) : []
  const totalBytes = toCopy.reduce((sum, info) => sum + info.size, 0)
  const result: MigrateResult = {
    copied: toCopy.map((info) => info.key),
    skipped: candidates.length - toCopy.length,
    deleted: extra,
    bytesCopied: 0,
    dryRun: options.dryRun === true,
  }
  if (options.dryRun) {
    report({ phase: 'done', done: toCopy.length, total: toCopy.length, bytes: 0, totalBytes })
    return result
  }

  let copied = 0
  await mapConcurrent(toCopy, concurrency, async (info) => {
    const bytes = await from.get(info.key)
    await to.put(info.key, bytes, { metadata: { [SHA256_METADATA]: sha256Hex(bytes) } })
    result.bytesCopied += bytes.length
    report({ phase: 'copying', done: ++copied, total: toCopy.length, bytes: result.bytesCopied, totalBytes })
  })
  if (extra.length > 0) {
    report({ phase: 'deleting', done: 0, total: extra.length, bytes: result.bytesCopied, totalBytes })
    await to.delete(extra)
  }
  report({ phase: 'done', done: toCopy.length, total: toCopy.length, bytes: result.bytesCopied, totalBytes })
  return result
}

export function checkConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new StorageError('INVALID_ARGUMENT', `concurrency must be an integer from 1 to 256, got ${value}`)
  }
  return value
}
