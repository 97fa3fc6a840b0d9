import type { TableVersion } from '../facade/storage-backend.js'
import type { ObjectStore } from '../store/object-store.js'
import { readCommits } from './snapshot.js'


const rowsIn = (stats: unknown) => {
  const match = typeof stats === 'string' ? /"numRecords":(\d+)/.exec(stats) : null
  return match ? Number(match[1]) : 0
}

/** Every version whose commit file is still in the log, oldest first. */
export async function tableHistory(store: ObjectStore, table: string): Promise<TableVersion[]> {
  const commits = await readCommits(store, table)
  return commits.map(({ version, time, actions }) => {
    let info: Record<string, any> | undefined
    let rowsAdded = 0
    let rowsRemoved = 0
    for (const action of actions) {
      if ('commitInfo' in action) info = action.commitInfo
      else if ('add' in action) rowsAdded += rowsIn(action.add.stats)
      else if ('remove' in action) rowsRemoved += rowsIn(action.remove.stats)
    }
    const mode = info?.operationParameters?.mode
    return {
      version,
      timestamp: new Date(typeof info?.timestamp === 'number' ? info.timestamp : time),
      operation: typeof info?.operation === 'string' ? info.operation : 'UNKNOWN',
      ...(typeof mode === 'string' ? { mode } : {}),
      rowsAdded,
      rowsRemoved,
    }
  })
}
