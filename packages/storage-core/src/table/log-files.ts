/**
 * Names inside a table's `_delta_log/` folder, as the Delta protocol spells them: commits are
 * `<20-digit version>.json`, checkpoints `<version>.checkpoint.parquet`, plus `_last_checkpoint`.
 */
export const LOG_DIR = '_delta_log'

const VERSION_DIGITS = 20
const COMMIT_NAME = /^(\d{20})\.json$/
const CHECKPOINT_NAME = /^(\d{20})\.checkpoint\.parquet$/

export function logPrefix(table: string): string {
  return `${table}/${LOG_DIR}/`
}

function padded(version: number): string {
  return String(version).padStart(VERSION_DIGITS, '0')
}

export function commitKey(table: string, version: number): string {
  return `${logPrefix(table)}${padded(version)}.json`
}

export function checkpointKey(table: string, version: number): string {
  return `${logPrefix(table)}${padded(version)}.checkpoint.parquet`
}

export function lastCheckpointKey(table: string): string {
  return `${logPrefix(table)}_last_checkpoint`
}

/** What a log file name holds; undefined for names this reader does not use. */
export function parseLogName(name: string): { kind: 'commit' | 'checkpoint'; version: number } | undefined {
  const commit = COMMIT_NAME.exec(name)
  if (commit) return { kind: 'commit', version: Number(commit[1]) }
  const checkpoint = CHECKPOINT_NAME.exec(name)
  if (checkpoint) return { kind: 'checkpoint', version: Number(checkpoint[1]) }
  return undefined
}

/**
 * The storage key of an `add`/`remove` path: a relative URI, percent-decoded segment by segment
 * (`parseActions` has refused paths that leave the table).
 */
export function keyOfPath(table: string, path: string): string {
  return `${table}/${path.split('/').map((segment) => decodeURIComponent(segment)).join('/')}`
}

/** The `add` path of a key under `table`: each segment percent-encoded as a URI (`%` becomes `%25`). */
export function pathOfKey(table: string, key: string): string {
  return key
    .slice(table.length + 1)
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3D/g, '='))
    .join('/')
}
