import { schemaFromManifest } from '../codecs/manifest.js'
import type { TableSchema } from '../codecs/schema.js'
import { StorageError } from '../errors.js'
import { type FilterRange, matchesCondition } from '../filters/filters.js'
import { isHiddenName } from '../keys/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import { decodeSegment, Partition } from '../partition/partition.js'
import { isOwnDataFile } from './data-file-names.js'

/**
 * Folders with no Delta log: the Python pipeline's `part-0.parquet` and `data.csv` + `manifest.json`,
 * DuckDB or pyarrow output. They read as plain Hive datasets: partition values from folder names,
 * Parquet preferred over a CSV fallback in the same folder, CSV typed by the manifest.
 */
export const LEGACY_MANIFEST = 'manifest.json'

export interface PlainFile {
  key: string
  size: number
  format: 'parquet' | 'csv'
  partition: Partition
  /** The manifest's types, for a CSV. */
  schema?: TableSchema
}

type Role =
  | { kind: 'data'; dir: string; segments: string[]; format: 'parquet' | 'csv' }
  | { kind: 'manifest'; dir: string; segments: string[] }
  | undefined

/** Where a key sits in a plain Hive folder of `entity`. Hidden names (`_x`, `.x`) are never data. */
function classify(entity: string, key: string): Role {
  const parts = key.split('/')
  if (parts[0] !== entity || parts.length < 2) return undefined
  let i = 1
  while (i < parts.length - 1 && parts[i]!.indexOf('=') > 0 && !isHiddenName(parts[i]!)) i++
  if (i !== parts.length - 1) return undefined
  const name = parts[i]!
  if (isHiddenName(name) || isOwnDataFile(name)) return undefined
  const segments = parts.slice(1, i)
  const dir = parts.slice(0, i).join('/')
  if (name === LEGACY_MANIFEST) return { kind: 'manifest', dir, segments }
  if (name.endsWith('.parquet')) return { kind: 'data', dir, segments, format: 'parquet' }
  if (name.endsWith('.csv')) return { kind: 'data', dir, segments, format: 'csv' }
  return undefined
}

/** Refuses to start a Delta table over data it would hide: a plain folder is converted first. */
export async function assertNoPlainData(store: ObjectStore, entity: string): Promise<void> {
  for await (const entry of store.list(`${entity}/`, { limit: 8 })) {
    if (entry.kind === 'object' && classify(entity, entry.key)?.kind === 'data') {
      throw new StorageError(
        'NOT_SUPPORTED',
        `${entity} holds data files with no Delta log (a plain Hive folder): convert it to a table first (convertToDelta, or cfb-storage convert ${entity})`,
        { key: entry.key },
      )
    }
  }
}

/** The data files of a plain folder whose partitions match `conditions`, with the partition keys. */
export async function plainFiles(
  store: ObjectStore,
  entity: string,
  conditions: ReadonlyMap<string, FilterRange>,
): Promise<{ keys: string[]; files: PlainFile[] }> {
  const folders = new Map<string, { segments: string[]; data: PlainFile[]; manifest?: string }>()
  for await (const entry of store.list(`${entity}/`)) {
    if (entry.kind !== 'object') continue
    const role = classify(entity, entry.key)
    if (!role) continue
    let folder = folders.get(role.dir)
    if (!folder) {
      folder = { segments: role.segments, data: [] }
      folders.set(role.dir, folder)
    }
    if (role.kind === 'manifest') folder.manifest = entry.key
    else folder.data.push({ key: entry.key, size: entry.size, format: role.format, partition: Partition.parse(role.segments.join('/')) })
  }
  const first = [...folders.values()][0]
  const keys = first ? first.segments.map((s) => decodeSegment(s.slice(0, s.indexOf('=')))) : []
  const files: PlainFile[] = []
  for (const dir of [...folders.keys()].sort()) {
    const folder = folders.get(dir)!
    const partition = folder.data[0]?.partition
    if (!partition) continue
    const matches = [...conditions].every(([k, range]) => !keys.includes(k) || matchesCondition(partition.values[k], range))
    if (!matches) continue
    const parquet = folder.data.filter((d) => d.format === 'parquet')
    if (parquet.length > 0) {
      files.push(...parquet)
      continue
    }
    const schema = folder.manifest ? await manifestSchema(store, folder.manifest) : undefined
    files.push(...folder.data.map((d) => ({ ...d, schema })))
  }
  return { keys, files }
}

/** Our data files under an entity with no log, older than `cutoff`: writers that died before version 0. */
export async function orphansWithoutLog(store: ObjectStore, entity: string, cutoff: number): Promise<string[]> {
  const found: string[] = []
  for await (const entry of store.list(`${entity}/`)) {
    if (entry.kind !== 'object') continue
    const name = entry.key.slice(entry.key.lastIndexOf('/') + 1)
    if (isOwnDataFile(name) && (entry.lastModified?.getTime() ?? cutoff) < cutoff) found.push(entry.key)
  }
  return found
}

/** The column types a legacy manifest records; advisory, so an unreadable one is ignored. */
async function manifestSchema(store: ObjectStore, key: string): Promise<TableSchema | undefined> {
  try {
    return schemaFromManifest(JSON.parse(new TextDecoder().decode(await store.get(key))))
  } catch {
    return undefined
  }
}
