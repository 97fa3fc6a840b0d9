import type { ObjectStore } from '../store/object-store.js'
import { loadState } from '../table/snapshot.js'
import type { TableState } from '../table/table-state.js'

/**
 * The latest state of each table this process has read or written. Bringing one up to date costs
 * one listing of its log and the commits after it.
 */
export class TableCache {
  private readonly states = new Map<string, TableState>()

  constructor(private readonly store: ObjectStore) {}

  async latest(table: string): Promise<TableState | undefined> {
    const cached = this.states.get(table)
    const state = await loadState(this.store, table, { from: cached })
    if (state) this.remember(state)
    else this.states.delete(table)
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
  }
}
