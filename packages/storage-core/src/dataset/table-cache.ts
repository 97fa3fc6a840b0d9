import { StorageError } from '../errors.js'
import type { ObjectStore } from '../store/object-store.js'
import { commitKey } from '../table/log-files.js'
import { loadState } from '../table/snapshot.js'
import type { TableState } from '../table/table-state.js'

/** How long a HEAD of the next commit may stand in for a listing since the last one. */
const PROBE_TRUST_MS = 60 * 60 * 1000

/**
 * The latest state of each table this process has read or written. A cached state is confirmed
 * current by one HEAD of the next version's commit (cheaper than a listing on disk, and a class B
 * request rather than a class A LIST on S3 and R2); when that commit is there, the log is listed
 * after the cached version and the commits after it are read. A state not confirmed for a while is
 * listed again: other engines clean up commits older than their log retention (30 days by
 * default), and a missing next commit would then not mean that none came after.
 */
export class TableCache {
  private readonly states = new Map<string, TableState>()
  /** When each table's state was last confirmed by a listing. */
  private readonly listedAt = new Map<string, number>()

  constructor(private readonly store: ObjectStore) {}

  /** The cached state, when `latest` would confirm it with a HEAD rather than list the log. */
  probed(table: string): TableState | undefined {
    const cached = this.states.get(table)
    return cached && Date.now() - (this.listedAt.get(table) ?? 0) < PROBE_TRUST_MS ? cached : undefined
  }

  async latest(table: string): Promise<TableState | undefined> {
    const cached = this.states.get(table)
    if (cached && this.probed(table) === cached && (await this.isLatest(cached))) return cached
    const started = Date.now()
    const state = await loadState(this.store, table, { from: cached })
    // A listing that found no log counts too: the state our first commit then remembers is probed.
    if (state) this.remember(state)
    else this.states.delete(table)
    this.listedAt.set(table, started)
    return state
  }

  async at(table: string, version: number): Promise<TableState | undefined> {
    const cached = this.states.get(table)
    if (cached?.version === version) return cached
    return loadState(this.store, table, { version, from: cached })
  }

  remember(state: TableState): void {
    const cached = this.states.get(state.table)
    if (!cached || cached.version <= state.version) this.states.set(state.table, state)
  }

  forget(table: string): void {
    this.states.delete(table)
    this.listedAt.delete(table)
  }

  /** False when the next version is there, or the probe fails (the listing then reports why). */
  private async isLatest(state: TableState): Promise<boolean> {
    try {
      await this.store.head(commitKey(state.table, state.version + 1))
      return false
    } catch (error) {
      return error instanceof StorageError && error.code === 'NOT_FOUND'
    }
  }
}
