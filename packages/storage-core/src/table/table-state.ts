import { StorageError } from '../errors.js'
import type { Action, AddFile, Metadata, Protocol, RemoveFile, Txn } from './actions.js'
import { columnOf, type DeltaField, parseSchemaString, type TableColumn } from './delta-schema.js'
import { LayeredMap } from './layered-map.js'

/**
 * A table at one version: what log replay yields (PROTOCOL.md, "Action Reconciliation"). Live
 * files by path, remove tombstones by path, the latest protocol, metadata and app transactions.
 * Immutable once built: a newer version is a new state.
 */
export interface TableState {
  table: string
  version: number
  /** Commit time of `version` (its commitInfo, else the file's modification time). */
  timestamp: number
  protocol: Protocol
  metadata: Metadata
  fields: DeltaField[]
  columns: TableColumn[]
  files: ReadonlyMap<string, AddFile>
  tombstones: ReadonlyMap<string, RemoveFile>
  txns: ReadonlyMap<string, Txn>
}

/** Builds states by replaying actions in version order. */
export class StateBuilder {
  version = -1
  timestamp = 0
  protocol: Protocol | undefined
  metadata: Metadata | undefined
  // Layered over the last state's maps rather than copies of them: a commit costs its own actions.
  files: LayeredMap<string, AddFile>
  tombstones: LayeredMap<string, RemoveFile>
  txns: LayeredMap<string, Txn>
  readonly #from: TableState | undefined

  constructor(readonly table: string, from?: TableState) {
    this.#from = from
    this.files = LayeredMap.over(from?.files)
    this.tombstones = LayeredMap.over(from?.tombstones)
    this.txns = LayeredMap.over(from?.txns)
    if (from) {
      this.version = from.version
      this.timestamp = from.timestamp
      this.protocol = from.protocol
      this.metadata = from.metadata
    }
  }

  apply(actions: readonly Action[], version: number, fallbackTime: number): void {
    let timestamp: number | undefined
    for (const action of actions) {
      if ('add' in action) {
        this.files.set(action.add.path, action.add)
        this.tombstones.delete(action.add.path)
      } else if ('remove' in action) {
        this.files.delete(action.remove.path)
        this.tombstones.set(action.remove.path, action.remove)
      } else if ('metaData' in action) {
        this.metadata = action.metaData
      } else if ('protocol' in action) {
        this.protocol = action.protocol
      } else if ('txn' in action) {
        this.txns.set(action.txn.appId, action.txn)
      } else if ('commitInfo' in action && typeof action.commitInfo.timestamp === 'number') {
        timestamp = action.commitInfo.timestamp
      }
    }
    this.version = version
    this.timestamp = timestamp ?? fallbackTime
  }

  build(key: string): TableState {
    if (!this.protocol || !this.metadata) {
      throw new StorageError('CORRUPT_DATA', `the Delta log of ${this.table} has no ${this.protocol ? 'metaData' : 'protocol'} action`, {
        key,
      })
    }
    checkReadable(this.protocol, this.table)
    // Most commits leave the metadata as it was: its schema is then the one already parsed.
    const same = this.#from?.metadata === this.metadata ? this.#from : undefined
    const fields = same ? same.fields : parseSchemaString(this.metadata.schemaString, key)
    return {
      table: this.table,
      version: this.version,
      timestamp: this.timestamp,
      protocol: this.protocol,
      metadata: this.metadata,
      fields,
      columns: same ? same.columns : fields.map(columnOf),
      files: this.files,
      tombstones: this.tombstones,
      txns: this.txns,
    }
  }
}

/** Reader version 1 is what this engine reads; anything newer needs features it does not have. */
function checkReadable(protocol: Protocol, table: string): void {
  if (protocol.minReaderVersion > 1) {
    const features = protocol.readerFeatures?.length ? ` (${protocol.readerFeatures.join(', ')})` : ''
    throw new StorageError(
      'NOT_SUPPORTED',
      `${table} needs Delta reader version ${protocol.minReaderVersion}${features}; this library reads version 1`,
    )
  }
}

/**
 * Writer version 2 (append-only tables, column invariants) is what this engine writes. It
 * enforces `delta.appendOnly`; invariants it cannot check, so such tables are refused.
 */
export function checkWritable(state: TableState, overwrite: boolean): void {
  const { protocol, metadata, table } = state
  if (protocol.minWriterVersion > 2) {
    throw new StorageError('NOT_SUPPORTED', `${table} needs Delta writer version ${protocol.minWriterVersion}; this library writes version 2`)
  }
  if (state.fields.some((f) => f.metadata && 'delta.invariants' in f.metadata)) {
    throw new StorageError('NOT_SUPPORTED', `${table} has column invariants, which this library cannot enforce`)
  }
  if (overwrite && metadata.configuration['delta.appendOnly'] === 'true') {
    throw new StorageError('NOT_SUPPORTED', `${table} is append-only (delta.appendOnly): it cannot be overwritten`)
  }
}
