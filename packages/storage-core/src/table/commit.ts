import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import { backoffMs, sleep } from '../store/retry.js'
import { type Action, encodeActions } from './actions.js'
import { withoutExpiredTombstones, writeCheckpoint } from './checkpoint.js'
import { commitKey } from './log-files.js'
import { loadState } from './snapshot.js'
import { checkpointInterval } from './table-options.js'
import { StateBuilder, type TableState } from './table-state.js'

/** Versions a writer tries before it reports CONFLICT: each lost race means another commit landed. */
const MAX_ATTEMPTS = 100

/**
 * Thrown by a commit's `build` when the versions it missed change what it wrote (a schema or
 * partitioning that no longer fits its files): the write starts over from its data files.
 */
export class StaleWrite extends Error {}

export interface Committed {
  state: TableState
  /** The actions that made it, as they landed. */
  actions: Action[]
}

/** Set on an error of the version file's own write, whose outcome nobody knows. */
export const OUTCOME_UNKNOWN = Symbol('cfb.commitOutcomeUnknown')

export function outcomeUnknown(error: unknown): boolean {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[OUTCOME_UNKNOWN] === true
}

/**
 * A store without conditional create cannot keep two writers from replacing each other's version
 * files: writes there need the caller's word that there is one writer.
 */
export function assertCanCommit(store: ObjectStore, table: string, singleWriter: boolean | undefined): void {
  if (store.capabilities.conditionalPut || singleWriter) return
  throw new StorageError(
    'NOT_SUPPORTED',
    `the ${store.name} store cannot create a file only if it is absent (conditional PUT, If-None-Match: *), so two writers could lose each other's commits to ${table}; use a server that supports it, or declare this process the table's only writer (singleWriter: true)`,
  )
}

/**
 * Commits the next version: `build` gives its actions for the state it will follow (undefined for
 * a new table), and the version file is created only if absent. A writer that loses the race
 * reads the versions it missed and builds again on them, up to MAX_ATTEMPTS times.
 */
export async function commit(
  store: ObjectStore,
  table: string,
  state: TableState | undefined,
  build: (state: TableState | undefined) => Action[],
  options: { singleWriter?: boolean } = {},
): Promise<Committed> {
  assertCanCommit(store, table, options.singleWriter)
  const conditional = store.capabilities.conditionalPut
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const actions = build(state)
    const version = (state?.version ?? -1) + 1
    const key = commitKey(table, version)
    const bytes = encodeActions(actions)
    let created: boolean
    try {
      created = await create(store, key, bytes, conditional)
    } catch (error) {
      // The version file may or may not have landed: its writer must not delete the data it names.
      if (error instanceof Error) Object.defineProperty(error, OUTCOME_UNKNOWN, { value: true })
      throw error
    }
    if (created) {
      const builder = new StateBuilder(table, state)
      builder.apply(actions, version, Date.now())
      let next = builder.build(key)
      if (version > 0 && version % checkpointInterval(next.metadata.configuration) === 0) {
        next = withoutExpiredTombstones(next, Date.now())
        // Best effort: a missing checkpoint costs readers time, never correctness.
        await writeCheckpoint(store, next).catch(() => undefined)
      }
      return { state: next, actions }
    }
    state = await loadState(store, table, { from: state })
    await sleep(backoffMs(attempt + 1, 2, 50))
  }
  throw new StorageError('CONFLICT', `${table}: ${MAX_ATTEMPTS} commits in a row lost the race to other writers; write again`)
}

/**
 * Creates `key` if absent; false when another writer holds it. A retried PUT whose first answer was
 * lost meets its own bytes there: that is our commit, landed.
 */
async function create(store: ObjectStore, key: string, bytes: Uint8Array, conditional: boolean): Promise<boolean> {
  try {
    if (!conditional && (await exists(store, key))) return false
    await store.put(key, bytes, { ifNoneMatch: conditional ? '*' : undefined, contentType: 'application/json' })
    return true
  } catch (error) {
    if (!(error instanceof StorageError && error.code === 'CONFLICT')) throw error
    // Whether the version there is ours decides everything: if it cannot be read, the outcome is
    // unknown and the write fails, rather than committing again over what may be its own version.
    let there: Uint8Array
    try {
      there = await store.get(key)
    } catch (readError) {
      if (readError instanceof StorageError && readError.code === 'NOT_FOUND') return false
      throw readError
    }
    return Buffer.compare(Buffer.from(there), Buffer.from(bytes)) === 0
  }
}

async function exists(store: ObjectStore, key: string): Promise<boolean> {
  try {
    await store.head(key)
    return true
  } catch (error) {
    if (error instanceof StorageError && error.code === 'NOT_FOUND') return false
    throw error
  }
}
