// What a Delta table's log says, read the way a test reads it: through the path API, independently
// of the engine under test (listing `_delta_log/` and replaying its version files).
import type { StorageBackend } from '@cfb/storage-core'

const VERSION_FILE = /^(\d{20})\.json$/

/** The version numbers of the table's commit files, in order. */
async function versionKeys(reader: StorageBackend, entity: string): Promise<{ version: number; key: string }[]> {
  const keys = await reader.listFiles(`${entity}/_delta_log/`)
  return keys
    .flatMap((key) => {
      const match = VERSION_FILE.exec(key.slice(key.lastIndexOf('/') + 1))
      return match ? [{ version: Number(match[1]), key }] : []
    })
    .sort((a, b) => a.version - b.version)
}

/** The versions a table's `_delta_log/` holds: "0..N" when they run from 0 with no gap, else what is wrong. */
export async function logVersions(reader: StorageBackend, entity: string): Promise<string> {
  const versions = (await versionKeys(reader, entity)).map((v) => v.version)
  if (versions.length === 0) return 'no versions'
  const gaps = versions.flatMap((v, i) => (v === i ? [] : [`version ${i} missing (found ${v} there)`]))
  return gaps.length === 0 ? `0..${versions[versions.length - 1]}` : gaps.slice(0, 3).join('; ')
}

/** The storage key of an `add`/`remove` path (relative, each segment URI-encoded). */
function keyOf(entity: string, path: string): string {
  return `${entity}/${path.split('/').map(decodeURIComponent).join('/')}`
}

export interface TableFiles {
  /** Version numbers in the log. */
  versions: number[]
  /** Data files the latest version lists. */
  live: string[]
  /** Data files some version added (live or removed since). */
  everAdded: string[]
  /** Every key under the table outside `_delta_log/`. */
  onStorage: string[]
  /** Keys on storage that no version ever added: a killed writer's files. */
  orphans: string[]
  /** Keys on storage that a version removed and that are still there. */
  removedStillThere: string[]
}

/** Replays the table's version files and compares them with what is on storage. */
export async function tableFiles(reader: StorageBackend, entity: string): Promise<TableFiles> {
  const live = new Set<string>()
  const everAdded = new Set<string>()
  const versions = await versionKeys(reader, entity)
  for (const { key } of versions) {
    const text = new TextDecoder().decode(await reader.readBytes(key))
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      const action = JSON.parse(line) as { add?: { path: string }; remove?: { path: string } }
      if (action.add) {
        live.add(keyOf(entity, action.add.path))
        everAdded.add(keyOf(entity, action.add.path))
      }
      if (action.remove) live.delete(keyOf(entity, action.remove.path))
    }
  }
  const onStorage = (await reader.listFiles(`${entity}/`)).filter((key) => !key.startsWith(`${entity}/_delta_log/`))
  return {
    versions: versions.map((v) => v.version),
    live: [...live].sort(),
    everAdded: [...everAdded].sort(),
    onStorage,
    orphans: onStorage.filter((key) => !everAdded.has(key)),
    removedStillThere: onStorage.filter((key) => everAdded.has(key) && !live.has(key)),
  }
}
