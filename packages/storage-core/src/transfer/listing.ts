import type { ObjectInfo, ObjectStore } from '../store/object-store.js'

/** Every object under each prefix (all of them for `['']`), by key. Overlapping prefixes count once. */
export async function listObjects(store: ObjectStore, prefixes: readonly string[]): Promise<Map<string, ObjectInfo>> {
  const objects = new Map<string, ObjectInfo>()
  for (const prefix of prefixes.length > 0 ? prefixes : ['']) {
    for await (const entry of store.list(prefix)) {
      if (entry.kind === 'object') {
        const { kind: _kind, ...info } = entry
        objects.set(info.key, info)
      }
    }
  }
  return objects
}

/** The top-level group a key is reported under: its first path segment (`raw`, `processed`). */
export function topLevel(key: string): string {
  const cut = key.indexOf('/')
  return cut < 0 ? '.' : key.slice(0, cut)
}
