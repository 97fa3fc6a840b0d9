import { mapConcurrent } from '../store/concurrency.js'
import { compareText } from '../keys/key-order.js'
import type { ObjectStore } from '../store/object-store.js'
import { type ChecksumMode, objectSha256 } from './digest.js'
import { listObjects, topLevel } from './listing.js'
import { checkConcurrency, type TransferProgress } from './migrate.js'

/** One key that is not identical on both sides, marked as `rclone check --combined` marks it. */
export interface VerifyDifference {
  /** `+` only in source, `-` only in destination, `*` differs, `!` could not be compared. */
  mark: '+' | '-' | '*' | '!'
  key: string
  error?: string
}

/** Counts for one top-level prefix. */
export interface VerifyGroup {
  prefix: string
  source: number
  dest: number
  missing: number
  extra: number
  differ: number
  errors: number
}

export interface VerifyResult {
  groups: VerifyGroup[]
  differences: VerifyDifference[]
  /** True when nothing is missing, extra, different or unreadable. */
  ok: boolean
}

export interface VerifyOptions {
  prefixes?: readonly string[]
  concurrency?: number
  /** `metadata` trusts stored SHA-256s where the backend keeps them; `download` hashes everything. */
  checksum?: ChecksumMode
  onProgress?: (progress: TransferProgress) => void
}

/** The line an operator reads: `raw: source=5300, dest=5300, missing=0, extra=0, differ=0`. */
export function formatGroup(group: VerifyGroup): string {
  const errors = group.errors > 0 ? `, errors=${group.errors}` : ''
  return `${group.prefix}: source=${group.source}, dest=${group.dest}, missing=${group.missing}, extra=${group.extra}, differ=${group.differ}${errors}`
}

/** Compares two stores key by key: presence, size, then SHA-256. */
export async function verify(from: ObjectStore, to: ObjectStore, options: VerifyOptions = {}): Promise<VerifyResult> {
  const concurrency = checkConcurrency(options.concurrency ?? 8)
  const mode = options.checksum ?? 'metadata'
  const report = options.onProgress ?? (() => {})
  report({ phase: 'listing', done: 0, total: 0, bytes: 0, totalBytes: 0 })
  const prefixes = options.prefixes ?? ['']
  const [source, dest] = await Promise.all([listObjects(from, prefixes), listObjects(to, prefixes)])

  const groups = new Map<string, VerifyGroup>()
  const group = (key: string): VerifyGroup => {
    const name = topLevel(key)
    let g = groups.get(name)
    if (!g) {
      g = { prefix: name, source: 0, dest: 0, missing: 0, extra: 0, differ: 0, errors: 0 }
      groups.set(name, g)
    }
    return g
  }
  const differences: VerifyDifference[] = []
  for (const key of source.keys()) group(key).source++
  for (const key of dest.keys()) {
    group(key).dest++
    if (!source.has(key)) {
      group(key).extra++
      differences.push({ mark: '-', key })
    }
  }
  const both = [...source.values()].filter((info) => {
    if (dest.has(info.key)) return true
    group(info.key).missing++
    differences.push({ mark: '+', key: info.key })
    return false
  })
  let done = 0
  await mapConcurrent(both, concurrency, async (info) => {
    try {
      const same =
        dest.get(info.key)!.size === info.size &&
        (await objectSha256(from, info.key, mode)) === (await objectSha256(to, info.key, mode))
      if (!same) {
        group(info.key).differ++
        differences.push({ mark: '*', key: info.key })
      }
    } catch (error) {
      group(info.key).errors++
      differences.push({ mark: '!', key: info.key, error: error instanceof Error ? error.message : String(error) })
    }
    report({ phase: 'comparing', done: ++done, total: both.length, bytes: 0, totalBytes: 0 })
  })
  differences.sort((a, b) => compareText(a.key, b.key))
  const sorted = [...groups.values()].sort((a, b) => compareText(a.prefix, b.prefix))
  return { groups: sorted, differences, ok: differences.length === 0 }
}
