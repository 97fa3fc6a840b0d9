import { forEachConcurrent } from '../store/concurrency.js'
import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
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
  const prefixes = options.prefixes && options.prefixes.length > 0 ? options.prefixes : ['']
  const mode = options.checksum ?? 'metadata'
  const dryRun = options.dryRun === true
  const report = options.onProgress ?? (() => {})
  report({ phase: 'listing', done: 0, total: 0, bytes: 0, totalBytes: 0 })
  // The destination first: then each source object is decided, and copied, as the source listing
  // yields it, so copying overlaps the listing instead of waiting for its end.
  const dest = await listObjects(to, prefixes)
  const decided: { key: string; copy: boolean }[] = []
  const seen = new Set<string>()
  const counts = { planned: 0, plannedBytes: 0, copied: 0, bytesCopied: 0 }
  // Copies made while the listing runs are reported as 'listing': 'copying' comes with the totals.
  let listing = true
  const progress = (phase: TransferProgress['phase']) =>
    report({ phase, done: counts.copied, total: counts.planned, bytes: counts.bytesCopied, totalBytes: counts.plannedBytes })
  // Copies start with the first keys listed; the listing runs on to its end meanwhile (it waits
  // for no copy), so the totals are known early.
  async function* sourceObjects() {
    for (const prefix of prefixes) {
      for await (const entry of from.list(prefix)) {
        // Overlapping prefixes list a key twice: it counts once.
        if (entry.kind !== 'object' || seen.has(entry.key)) continue
        seen.add(entry.key)
        const decision = { key: entry.key, copy: false }
        decided.push(decision)
        const there = dest.get(entry.key)
        const sameSize = there !== undefined && there.size === entry.size
        if (!sameSize) plan(decision, entry.size)
        yield { decision, size: entry.size, sameSize }
      }
    }
    listing = false
    progress('copying')
  }
  const plan = (decision: { copy: boolean }, size: number) => {
    decision.copy = true
    counts.planned++
    counts.plannedBytes += size
  }
  await forEachConcurrent(sourceObjects(), concurrency, async ({ decision, size, sameSize }) => {
    const { key } = decision
    // Same size on both sides: compare checksums. Different size or missing: copy.
    if (sameSize && (await objectSha256(from, key, mode)) !== (await objectSha256(to, key, mode))) plan(decision, size)
    if (!decision.copy || dryRun) return
    const bytes = await from.get(key)
    await to.put(key, bytes, { metadata: { [SHA256_METADATA]: sha256Hex(bytes) } })
    counts.copied++
    counts.bytesCopied += bytes.length
    progress(listing ? 'listing' : 'copying')
  })
  const extra = options.deleteExtra ? [...dest.keys()].filter((key) => !seen.has(key)) : []
  if (extra.length > 0 && !dryRun) {
    progress('deleting')
    await to.delete(extra)
  }
  const copied = decided.filter((d) => d.copy).map((d) => d.key)
  report({ phase: 'done', done: copied.length, total: copied.length, bytes: counts.bytesCopied, totalBytes: counts.plannedBytes })
  return { copied, skipped: decided.length - copied.length, deleted: extra, bytesCopied: counts.bytesCopied, dryRun }
}

export function checkConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new StorageError('INVALID_ARGUMENT', `concurrency must be an integer from 1 to 256, got ${value}`)
  }
  return value
}
