import { type Dirent, type Stats, statSync } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setImmediate } from 'node:timers/promises'
import { concatAhead, type ListEntry, type ListOptions, mapConcurrent, StorageError } from '@cfb/storage-core'
import { errnoCode, fsError } from './fs-errors.js'
import { type RootGuard, isWithin } from './root-guard.js'
import { isIgnoredFileName } from './temp-names.js'

/**
 * Listing a folder tree the way S3 ListObjectsV2 lists keys: every key that starts with a plain
 * string prefix, in UTF-8 byte order, optionally grouped by a delimiter into common prefixes.
 */

type ObjectEntry = Extract<ListEntry, { kind: 'object' }>

/** A folder being walked: where it is, what it really is (for cycle and root checks). */
interface Folder {
  abs: string
  real: string
  key: string
  /** Real paths of this folder and those above it, so a symlink loop is not followed. */
  chain: ReadonlySet<string>
}

type Child =
  | { kind: 'file'; name: string; stats: Stats | undefined }
  | { kind: 'dir'; name: string; folder: Folder }

/** How many stat/realpath calls of links a folder read keeps in flight. */
const STAT_CONCURRENCY = 64
/** Synchronous `stat` calls between turns of the event loop (about 1 ms on a local disk). */
const STATS_PER_TURN = 256
/** Sub-folders a walk reads ahead of the one it is yielding from, at each level. */
const FOLDERS_AHEAD = 4
/**
 * Reads of one folder when files vanish between `readdir` and `stat`. A vanished file means a
 * writer changed the folder mid-read; its replacement (a commit lands before the one it
 * supersedes is deleted) is only in a fresh `readdir`, and a listing showing neither would
 * make a partition look empty.
 */
const FOLDER_READS = 5
/** `resolveChild`'s answer for a file `readdir` named that was gone by the time of its `stat`. */
const VANISHED = Symbol('vanished')

/** Sort key of a child: folders sort as `name/`, the prefix of every key below them. */
function sortKey(child: Child): Buffer {
  return Buffer.from(child.kind === 'dir' ? `${child.name}/` : child.name, 'utf8')
}

/** A folder below `parent`, its real path added to the chain a symlink must not loop back into. */
function subFolder(parent: Folder, abs: string, real: string, key: string): Folder {
  return { abs, real, key, chain: new Set(parent.chain).add(real) }
}

function objectEntry(folder: Folder, name: string, stats: Stats): ObjectEntry {
  // A Date built here, not fs's own: under jest's vm realms `instanceof Date` must still hold.
  return { kind: 'object', key: `${folder.key}${name}`, size: stats.size, lastModified: new Date(stats.mtimeMs) }
}

function isGone(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Classifies one directory entry; `undefined` for anything a listing must not return. */
async function resolveChild(
  folder: Folder,
  entry: { name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean },
  realRoot: string,
  wantStats: boolean,
): Promise<Child | typeof VANISHED | undefined> {
  const abs = join(folder.abs, entry.name)
  const key = `${folder.key}${entry.name}`
  try {
    if (entry.isDirectory()) {
      return { kind: 'dir', name: entry.name, folder: subFolder(folder, abs, join(folder.real, entry.name), `${key}/`) }
    }
    if (entry.isFile()) {
      return fileChild(abs, key, entry.name, wantStats)
    }
    if (!entry.isSymbolicLink()) return undefined // sockets, fifos, devices are not objects
    // A link is followed only when it stays inside the root and does not loop back up. One that
    // leads out is refused loudly: skipping it would make its data vanish from reads unnoticed.
    const real = await realpath(abs)
    if (!isWithin(realRoot, real)) {
      throw new StorageError('PERMISSION_DENIED', `refusing a symbolic link that leads outside the root: ${key}`, {
        backend: 'local',
        key,
      })
    }
    const stats = await stat(real)
    if (stats.isFile()) {
      return isIgnoredFileName(entry.name) ? undefined : { kind: 'file', name: entry.name, stats }
    }
    if (stats.isDirectory() && !folder.chain.has(real)) {
      return { kind: 'dir', name: entry.name, folder: subFolder(folder, abs, real, `${key}/`) }
    }
    return undefined
  } catch (error) {
    if (error instanceof StorageError) throw error
    // Deleted between readdir and stat, or a dangling link: simply not there.
    if (isGone(error) || errnoCode(error) === 'ELOOP') return undefined
    throw fsError(error, key, 'list')
  }
}

/** A regular file `readdir` named: its `stat` is made synchronously (see `STATS_PER_TURN`). */
function fileChild(abs: string, key: string, name: string, wantStats: boolean): Child | typeof VANISHED | undefined {
  if (isIgnoredFileName(name)) return undefined
  try {
    return { kind: 'file', name, stats: wantStats ? statSync(abs) : undefined }
  } catch (error) {
    if (isGone(error)) return VANISHED
    throw fsError(error, key, 'list')
  }
}

/**
 * The children of `folder` whose names start with `partial`, in key order. Files at or before the
 * key `after` are left out before their `stat`: a table's log folder grows by a file a commit, and
 * a reader that has its older versions lists only what came after them.
 */
async function readFolder(folder: Folder, partial: string, realRoot: string, wantStats: boolean, after?: string): Promise<Child[]> {
  const later = after === undefined ? undefined : Buffer.from(after, 'utf8')
  const wanted = (entry: { name: string; isFile(): boolean }) =>
    entry.name.startsWith(partial) && (later === undefined || !entry.isFile() || Buffer.compare(Buffer.from(`${folder.key}${entry.name}`, 'utf8'), later) > 0)
  let children: (Child | typeof VANISHED | undefined)[] = []
  for (let read = 1; read <= FOLDER_READS; read++) {
    let entries: Awaited<ReturnType<typeof readEntries>>
    try {
      entries = await readEntries(folder.abs)
    } catch (error) {
      if (isGone(error)) return [] // removed mid-listing, or the prefix names a file's folder
      throw fsError(error, folder.key, 'list')
    }
    const matching = partial === '' && later === undefined ? entries : entries.filter(wanted)
    children = await resolveChildren(folder, matching, realRoot, wantStats)
    if (!children.includes(VANISHED)) break
  }
  const kept = children.filter((child): child is Child => child !== undefined && child !== VANISHED)
  const keys = new Map(kept.map((child) => [child, sortKey(child)]))
  return kept.sort((a, b) => Buffer.compare(keys.get(a)!, keys.get(b)!))
}

/**
 * Regular files are stat'ed synchronously, a batch per turn of the event loop: a `stat` through
 * the thread pool cost 22 µs of the main thread's time where the call itself takes 2-4 µs (5,300
 * files: 120 ms of a migrate's profile). Links, which need `realpath`, go through the pool.
 */
async function resolveChildren(
  folder: Folder,
  entries: readonly Dirent[],
  realRoot: string,
  wantStats: boolean,
): Promise<(Child | typeof VANISHED | undefined)[]> {
  const children: (Child | typeof VANISHED | undefined)[] = new Array(entries.length)
  const others: number[] = []
  let made = 0
  for (const [i, entry] of entries.entries()) {
    if (!entry.isFile()) others.push(i)
    else {
      if (made++ % STATS_PER_TURN === STATS_PER_TURN - 1) await setImmediate()
      children[i] = fileChild(join(folder.abs, entry.name), `${folder.key}${entry.name}`, entry.name, wantStats)
    }
  }
  await mapConcurrent(others, STAT_CONCURRENCY, async (i) => {
    children[i] = await resolveChild(folder, entries[i]!, realRoot, wantStats)
  })
  return children
}

function readEntries(abs: string) {
  return readdir(abs, { withFileTypes: true })
}

/**
 * Every object below `folder` (names filtered by `partial` at the first level only), in key order.
 * Sub-folders are read a few ahead: walked one after another, each `readdir` would wait on the last.
 */
async function* walkObjects(folder: Folder, partial: string, realRoot: string, after?: string): AsyncGenerator<ObjectEntry> {
  const parts: (() => AsyncGenerator<ObjectEntry>)[] = []
  let files: ObjectEntry[] = []
  const endRun = () => {
    if (files.length === 0) return
    const run = files
    parts.push(async function* () {
      yield* run
    })
    files = []
  }
  for (const child of await readFolder(folder, partial, realRoot, true, after)) {
    if (child.kind === 'file') {
      files.push(objectEntry(folder, child.name, child.stats!))
    } else {
      endRun()
      parts.push(() => walkObjects(child.folder, '', realRoot))
    }
  }
  endRun()
  yield* concatAhead(parts, FOLDERS_AHEAD)
}

/** True when at least one object lies below `folder`: S3 has no empty folders to report. */
async function holdsObject(folder: Folder, realRoot: string): Promise<boolean> {
  const children = await readFolder(folder, '', realRoot, false)
  if (children.some((child) => child.kind === 'file')) return true
  for (const child of children) {
    if (child.kind === 'dir' && (await holdsObject(child.folder, realRoot))) return true
  }
  return false
}

/** `/` grouping reads only the prefix's own folder and probes sub-folders for any object. */
async function* listOneLevel(folder: Folder, partial: string, realRoot: string, after?: string): AsyncGenerator<ListEntry> {
  for (const child of await readFolder(folder, partial, realRoot, true, after)) {
    if (child.kind === 'file') {
      yield objectEntry(folder, child.name, child.stats!)
    } else if (await holdsObject(child.folder, realRoot)) {
      yield { kind: 'prefix', prefix: child.folder.key }
    }
  }
}

/** Any other delimiter: group the full walk, as S3 does, relative to the prefix string. */
async function* groupByDelimiter(
  objects: AsyncIterable<ObjectEntry>,
  prefix: string,
  delimiter: string,
): AsyncGenerator<ListEntry> {
  let lastCommon: string | undefined
  for await (const object of objects) {
    const rest = object.key.slice(prefix.length)
    const at = rest.indexOf(delimiter)
    if (at < 0) {
      yield object
      continue
    }
    // Keys sharing a common prefix are contiguous in byte order, so one look-back suffices.
    const common = prefix + rest.slice(0, at + delimiter.length)
    if (common !== lastCommon) {
      lastCommon = common
      yield { kind: 'prefix', prefix: common }
    }
  }
}

/** Lists `prefix` below the guard's root; a missing root or folder lists nothing. */
export async function* listLocal(guard: RootGuard, prefix: string, options: ListOptions = {}): AsyncGenerator<ListEntry> {
  const { delimiter, startAfter } = options
  const realRoot = guard.realRoot(prefix)
  if (realRoot === undefined) return
  // Start from the deepest folder the prefix names in full; the rest filters its entries.
  const cut = prefix.lastIndexOf('/') + 1
  const baseKey = prefix.slice(0, cut)
  const partial = prefix.slice(cut)
  const abs = baseKey === '' ? guard.root : guard.pathOf(baseKey)
  let real: string
  try {
    real = await realpath(abs)
  } catch (error) {
    if (isGone(error)) return
    throw fsError(error, prefix, 'list')
  }
  if (!isWithin(realRoot, real)) {
    throw new StorageError('PERMISSION_DENIED', `refusing a symbolic link that leads outside the root: ${prefix}`, {
      backend: 'local',
      key: prefix,
    })
  }
  const folder: Folder = { abs, real, key: baseKey, chain: new Set([real]) }
  if (delimiter === undefined || delimiter === '') {
    yield* walkObjects(folder, partial, realRoot, startAfter)
  } else if (delimiter === '/') {
    yield* listOneLevel(folder, partial, realRoot, startAfter)
  } else {
    yield* groupByDelimiter(walkObjects(folder, partial, realRoot, startAfter), prefix, delimiter)
  }
}
