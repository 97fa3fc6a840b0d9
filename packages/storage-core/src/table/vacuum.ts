import type { ObjectStore } from '../store/object-store.js'
import { keyOfPath, LOG_DIR } from './log-files.js'
import type { TableState } from './table-state.js'

/**
 * Files under a table that no version needs any more: files no version references (a crashed
 * writer's) older than `olderThanMs` (younger ones may be a running writer's), and files removed
 * longer ago than the table's retention.
 */
export async function unreferencedFiles(
  store: ObjectStore,
  state: TableState,
  options: { olderThanMs: number; retentionMs: number; now: number },
): Promise<string[]> {
  const keep = new Set<string>()
  for (const add of state.files.values()) keep.add(keyOfPath(state.table, add.path))
  const expired = new Set<string>()
  for (const remove of state.tombstones.values()) {
    const key = keyOfPath(state.table, remove.path)
    if ((remove.deletionTimestamp ?? 0) > options.now - options.retentionMs) keep.add(key)
    else expired.add(key)
  }
  const logPrefix = `${state.table}/${LOG_DIR}/`
  const stale: string[] = []
  for await (const entry of store.list(`${state.table}/`)) {
    if (entry.kind !== 'object' || entry.key.startsWith(logPrefix) || keep.has(entry.key)) continue
    // Hidden names (`_x`, `.x`) anywhere below the table are never data, so never ours to remove.
    if (entry.key.slice(state.table.length + 1).split('/').some((part) => part.startsWith('.') || part.startsWith('_'))) continue
    const age = options.now - (entry.lastModified?.getTime() ?? options.now)
    if (expired.has(entry.key) || age >= options.olderThanMs) stale.push(entry.key)
  }
  return stale
}
