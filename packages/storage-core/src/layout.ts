import { COMMITS_DIR, commitIdFromName } from './commit.js'
import { isHiddenName } from './keys.js'

/**
 * Where a key sits in the on-storage layout:
 * `<entity>/<k1>=<v1>/.../part-<writeId>-<n>.parquet` and `.../_commits/<writeId>.json`.
 */
export type KeyRole =
  | { kind: 'data'; dir: string; segments: string[]; name: string; format: 'parquet' | 'csv' }
  | { kind: 'commit'; dir: string; segments: string[]; name: string; writeId: string }
  | { kind: 'manifest'; dir: string; segments: string[] }
  | { kind: 'other' }

const OTHER: KeyRole = { kind: 'other' }
export const LEGACY_MANIFEST = 'manifest.json'

/** Classifies a key of `entity`'s listing. Hidden names (`_x`, `.x`) are never data. */
export function classifyKey(entity: string, key: string): KeyRole {
  const parts = key.split('/')
  if (parts[0] !== entity || parts.length < 2) return OTHER
  let i = 1
  // Hive segments: `k=v`, with a visible key name.
  while (i < parts.length - 1 && parts[i]!.indexOf('=') > 0 && !isHiddenName(parts[i]!)) i++
  const segments = parts.slice(1, i)
  const dir = parts.slice(0, i).join('/')
  const rest = parts.slice(i)
  if (rest.length === 2 && rest[0] === COMMITS_DIR) {
    const writeId = commitIdFromName(rest[1]!)
    return writeId ? { kind: 'commit', dir, segments, name: rest[1]!, writeId } : OTHER
  }
  if (rest.length !== 1) return OTHER
  const name = rest[0]!
  if (isHiddenName(name)) return OTHER
  // The Python pipeline's per-partition manifest: read for CSV types, never written.
  if (name === LEGACY_MANIFEST) return { kind: 'manifest', dir, segments }
  if (name.endsWith('.parquet')) return { kind: 'data', dir, segments, name, format: 'parquet' }
  if (name.endsWith('.csv')) return { kind: 'data', dir, segments, name, format: 'csv' }
  return OTHER
}

/** The partition keys of a folder's Hive segments, in order. */
export function segmentKeys(segments: readonly string[]): string[] {
  return segments.map((s) => decodeURIComponentSafe(s.slice(0, s.indexOf('='))))
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
