import { newWriteId, WRITE_ID_PATTERN } from './write-id.js'

/**
 * The names this library gives data files: `part-<writeId>-0.parquet`, unique across writers
 * and sorting by time. Only a Delta log makes such a file data; with no log beside it, it is a
 * writer's in flight, or a crashed one's.
 */
const OWN_DATA_FILE = new RegExp(`^part-${WRITE_ID_PATTERN.source.slice(1, -1)}-\\d+\\.parquet$`)

export function newDataFileName(): string {
  return `part-${newWriteId()}-0.parquet`
}

export function isOwnDataFile(name: string): boolean {
  return OWN_DATA_FILE.test(name)
}
