import { mapConcurrent } from '../store/concurrency.js'
import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import { parseActions } from './actions.js'
import { readCheckpoint } from './checkpoint.js'
import { commitKey, logPrefix, parseLogName } from './log-files.js'
import { StateBuilder, type TableState } from './table-state.js'

const READ_CONCURRENCY = 16

/** What one listing of `_delta_log/` shows. */
interface LogListing {
  commits: Map<number, { key: string; time: number }>
  checkpoints: Map<number, string>
}

async function listLog(store: ObjectStore, table: string, after?: number): Promise<LogListing> {
  const commits = new Map<number, { key: string; time: number }>()
  const checkpoints = new Map<number, string>()
  const prefix = logPrefix(table)
  const startAfter = after === undefined ? undefined : commitKey(table, after)
  for await (const entry of store.list(prefix, { startAfter })) {
    if (entry.kind !== 'object') continue
    const name = entry.key.slice(prefix.length)
    const parsed = parseLogName(name)
    if (!parsed || (after !== undefined && parsed.version <= after)) continue
    if (parsed.kind === 'commit') commits.set(parsed.version, { key: entry.key, time: entry.lastModified?.getTime() ?? 0 })
    else checkpoints.set(parsed.version, entry.key)
  }
  return { commits, checkpoints }
}

export interface LoadOptions {
  /** The version to load; the latest when absent. */
  version?: number
  /** A state already loaded: only the versions after it are read. */
  from?: TableState
}

/**
 * The table's state at a version: the newest checkpoint at or before it, then every later commit
 * in order. Undefined when `table` has no Delta log. A version that is not there (past the latest,
 * or cleaned up) is NOT_FOUND naming it; a gap in the log is CORRUPT_DATA.
 */
export async function loadState(store: ObjectStore, table: string, options: LoadOptions = {}): Promise<TableState | undefined> {
  const { version, from } = options
  const usable = from && (version === undefined || version >= from.version) ? from : undefined
  const listing = await listLog(store, table, usable?.version)
  const newest = Math.max(-1, ...listing.commits.keys(), ...listing.checkpoints.keys())
  if (usable && newest < 0) return version === undefined || version === usable.version ? usable : missingVersion(table, version)
  if (newest < 0) return undefined
  const target = version ?? newest
  if (target > newest && !(usable && target === usable.version)) return missingVersion(table, target)

  const builder = new StateBuilder(table, usable)
  let start = usable ? usable.version + 1 : 0
  if (!usable) {
    const checkpoint = Math.max(-1, ...[...listing.checkpoints.keys()].filter((v) => v <= target))
    if (checkpoint >= 0) {
      builder.apply(await readCheckpoint(store, listing.checkpoints.get(checkpoint)!), checkpoint, 0)
      builder.timestamp = listing.commits.get(checkpoint)?.time ?? 0
      start = checkpoint + 1
    }
  }
  const versions: number[] = []
  for (let v = start; v <= target; v++) versions.push(v)
  if (versions.length > 0 && !listing.commits.has(versions[0]!) && start === 0) {
    // Commits before the first checkpoint were cleaned up: this version can no longer be read.
    return missingVersion(table, target)
  }
  const missing = versions.find((v) => !listing.commits.has(v))
  if (missing !== undefined) {
    throw new StorageError('CORRUPT_DATA', `the Delta log of ${table} has no version ${missing} (it has later ones)`, {
      key: `${logPrefix(table)}${missing}`,
    })
  }
  const parsed = await mapConcurrent(versions, READ_CONCURRENCY, async (v) => {
    const { key } = listing.commits.get(v)!
    return parseActions(await store.get(key), key)
  })
  versions.forEach((v, i) => {
    builder.apply(parsed[i]!, v, listing.commits.get(v)!.time)
  })
  return builder.build(logPrefix(table))
}

function missingVersion(table: string, version: number): never {
  throw new StorageError('NOT_FOUND', `${table} has no version ${version}`, { key: logPrefix(table) })
}

/** Every commit's actions from `first` on, for history: versions whose commit file is gone are skipped. */
export async function readCommits(store: ObjectStore, table: string): Promise<{ version: number; time: number; actions: ReturnType<typeof parseActions> }[]> {
  const listing = await listLog(store, table)
  const versions = [...listing.commits.keys()].sort((a, b) => a - b)
  return mapConcurrent(versions, READ_CONCURRENCY, async (version) => {
    const { key, time } = listing.commits.get(version)!
    return { version, time, actions: parseActions(await store.get(key), key) }
  })
}
