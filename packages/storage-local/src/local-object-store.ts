import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  read,
  readSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { setImmediate } from 'node:timers/promises'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import {
  type ByteRange,
  type ListEntry,
  type ListOptions,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type StoreCapabilities,
  StorageError,
} from '@cfb/storage-core'

import { resolveRange } from './byte-range.js'
import { removeTempFiles } from './leftovers.js'
import { BACKEND, errnoCode, fsError } from './fs-errors.js'
import { listLocal } from './local-listing.js'
import { makeFolder } from './make-folder.js'
import { RootGuard, isWithin } from './root-guard.js'
import { tempNameFor } from './temp-names.js'

export interface LocalObjectStoreOptions {
  /** Folder holding the data; resolved to an absolute path and created on first write. */
  root: string
}

/** How many unlinks `delete` makes between turns of the event loop. */
const UNLINKS_PER_TURN = 256
/** Writes retried when a concurrent delete pruned the freshly made folder. */
const WRITE_ATTEMPTS = 3
// O_NONBLOCK keeps `get` of a fifo from hanging; it changes nothing for regular files.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL
// Filesystems without hard links (exFAT, FAT drives) refuse `link` with one of these.
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'])

// A call through Node's thread pool costs 85-95 µs of wall time; on a local disk the same call made
// synchronously takes 4-11 µs. So get, head, put and delete make the calls that only touch
// metadata (realpath, stat, open, close, rename, link, unlink, rmdir) and move the bytes of small
// objects (commits, checkpoint pointers, small files) synchronously, as listings make their `stat`
// calls (local-listing.ts); larger objects' bytes go through the pool. The bound is higher for
// reads, which a caller awaits (a commit of a few hundred files, a column chunk), than for writes,
// whose transfer through the pool overlaps the encoding of the next file (writing 150 KB files
// synchronously made writePartitioned 5-8% slower). A put whose caller has nothing to overlap with
// it (`mayBlock`: a write of one file, which waits for it before its commit) writes up to 8 MiB in
// place: 165 sequential writes of 150 KB files, 686-809 ms a run through the pool, 604-731 in
// place. Blocking is bounded by one call of at most that size, a fraction of the time the caller
// took to encode the bytes. Each operation still begins with a turn of the event loop
// (`setImmediate`, no thread), so a loop of awaited calls cannot starve timers, sockets or other
// callers.
const SMALL_READ_BYTES = 256 * 1024
const SMALL_WRITE_BYTES = 64 * 1024
const BLOCKING_WRITE_BYTES = 8 * 1024 * 1024
const readFd = promisify(read)
const writeFd = promisify(write)

/** Creates `path` (it must not exist) holding `bytes`, in place when they are at most `inPlace` bytes. */
async function writeNewFile(path: string, bytes: Uint8Array, inPlace: number): Promise<void> {
  const small = bytes.length <= inPlace
  const fd = openSync(path, CREATE_FLAGS, 0o666)
  try {
    for (let done = 0; done < bytes.length; ) {
      done += small ? writeSync(fd, bytes, done, bytes.length - done) : (await writeFd(fd, bytes, done, bytes.length - done)).bytesWritten
    }
  } finally {
    closeSync(fd)
  }
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory()
  } catch {
    return false
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // Already gone, or the folder with it: nothing is left behind either way.
  }
}

function notFound(key: string, cause?: unknown): StorageError {
  return new StorageError('NOT_FOUND', `${key}: not found`, { backend: BACKEND, key, cause })
}

/** An `ObjectStore` over a folder on local disk: keys are paths below the root. */
export class LocalObjectStore implements ObjectStore {
  readonly name = BACKEND
  readonly capabilities: StoreCapabilities = {
    conditionalPut: true,
    delimiterListing: true,
    // ext4, xfs, btrfs and NTFS keep NFC and NFD names apart. (APFS and HFS+ on macOS do not.)
    distinctUnicodeNormalization: true,
    rangedReadOfEmptyObject: true,
    objectMetadata: false,
  }
  readonly #guard: RootGuard

  constructor(options: LocalObjectStoreOptions) {
    if (typeof options?.root !== 'string' || options.root === '') {
      throw new StorageError('CONFIG', 'local storage needs a root folder (options.root)', { backend: BACKEND })
    }
    this.#guard = new RootGuard(options.root)
  }

  root(): string {
    return this.#guard.root
  }

  fullPath(key: string): string {
    return this.#guard.pathOf(key)
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    await setImmediate()
    const file = this.#existing(key)
    let fd: number
    try {
      fd = openSync(file, READ_FLAGS)
    } catch (error) {
      throw fsError(error, key, 'read')
    }
    try {
      // Size from the open descriptor: an atomic replace cannot change it under us.
      const info = fstatSync(fd)
      if (!info.isFile()) throw notFound(key)
      const { start, end } = resolveRange(range, info.size)
      const bytes = new Uint8Array(end - start)
      const small = bytes.length <= SMALL_READ_BYTES
      let filled = 0
      while (filled < bytes.length) {
        const at = start + filled
        const count = small ? readSync(fd, bytes, filled, bytes.length - filled, at) : (await readFd(fd, bytes, filled, bytes.length - filled, at)).bytesRead
        if (count === 0) break
        filled += count
      }
      return filled === bytes.length ? bytes : bytes.slice(0, filled)
    } catch (error) {
      throw fsError(error, key, 'read')
    } finally {
      closeSync(fd)
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    await setImmediate()
    const file = this.#existing(key)
    try {
      const info = statSync(file)
      if (!info.isFile()) throw notFound(key)
      return { key, size: info.size, lastModified: new Date(info.mtimeMs) }
    } catch (error) {
      throw fsError(error, key, 'read')
    }
  }

  /**
   * Writes a hidden temp file beside the target, then renames it over the target (or, for
   * `ifNoneMatch: '*'`, hard-links it, which fails atomically when the target exists), so a
   * reader sees the old bytes or the new. `contentType` and `metadata` have no place on disk.
   */
  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    await setImmediate()
    const target = this.#guard.pathOf(key)
    const folder = dirname(target)
    await this.#guard.ensureRoot(key)
    this.#guard.confine(target, key)
    const temp = join(folder, tempNameFor(basename(target)))
    let tempExists = false
    try {
      await this.#writeTemp(folder, temp, bytes, options.mayBlock ? BLOCKING_WRITE_BYTES : SMALL_WRITE_BYTES)
      tempExists = true
      if (options.ifNoneMatch === '*') {
        await this.#createExclusive(temp, target)
      } else {
        renameSync(temp, target)
        tempExists = false
      }
    } catch (error) {
      throw fsError(error, key, 'write')
    } finally {
      if (tempExists) removeQuietly(temp)
    }
  }

  list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    return listLocal(this.#guard, prefix, options)
  }

  /** Removes temp files of killed writers under `prefix` older than `olderThanMs`. */
  async removeLeftovers(prefix: string, olderThanMs: number): Promise<string[]> {
    if (this.#guard.realRoot() === undefined) return []
    const dir = prefix === '' ? this.#guard.root : this.#guard.pathOf(prefix.replace(/\/+$/, ''))
    return removeTempFiles(this.#guard.root, dir, Date.now() - olderThanMs)
  }

  /** Unlinks the keys (missing ones are fine), then removes folders left empty. */
  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0 || this.#guard.realRoot() === undefined) return
    const emptied = new Set<string>()
    let firstError: unknown
    for (const [index, key] of keys.entries()) {
      // The unlinks are synchronous: a long list gives the event loop a turn now and then.
      if (index % UNLINKS_PER_TURN === 0) await setImmediate()
      try {
        if (this.#unlink(key)) emptied.add(dirname(this.#guard.pathOf(key)))
      } catch (error) {
        firstError ??= error
      }
    }
    this.#prune(emptied)
    if (firstError !== undefined) throw firstError
  }

  /** The path of `key` after the root check; `NOT_FOUND` when nothing is there. */
  #existing(key: string): string {
    const file = this.#guard.pathOf(key)
    if (this.#guard.confine(file, key) === 'missing') throw notFound(key)
    return file
  }

  async #writeTemp(folder: string, temp: string, bytes: Uint8Array, inPlace: number): Promise<void> {
    // The folder is made when the write finds it missing: most writes go to one that exists.
    for (let attempt = 1; ; attempt++) {
      try {
        // No fsync: rename gives atomicity against readers; durability across power loss is
        // not promised (as with S3 before the PUT returns).
        await writeNewFile(temp, bytes, inPlace)
        return
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' || attempt > WRITE_ATTEMPTS) throw error
      }
      await makeFolder(folder)
    }
  }

  async #createExclusive(temp: string, target: string): Promise<void> {
    try {
      linkSync(temp, target)
    } catch (error) {
      const code = errnoCode(error)
      if (code === undefined || !NO_HARD_LINKS.has(code)) throw error
      // No hard links here: an exclusive copy still never replaces an existing object, though a
      // reader may see it while it is being filled.
      await copyFile(temp, target, constants.COPYFILE_EXCL)
    }
  }

  /** True when a file was removed. The parent, not the key, must stay inside the root. */
  #unlink(key: string): boolean {
    const file = this.#guard.pathOf(key)
    if (this.#guard.confine(dirname(file), key) === 'missing') return false
    try {
      unlinkSync(file)
      return true
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return false
      // macOS answers EPERM for unlink of a folder; a folder is not an object, so nothing to do.
      if (code === 'EPERM' && isFolder(file)) return false
      throw fsError(error, key, 'delete')
    }
  }

  /** Removes emptied folders bottom-up, stopping below the root or at the first non-empty one. */
  #prune(folders: Set<string>): void {
    const root = this.#guard.root
    const deepestFirst = [...folders].sort((a, b) => b.length - a.length)
    for (const start of deepestFirst) {
      for (let folder = start; folder !== root && isWithin(root, folder); folder = dirname(folder)) {
        try {
          rmdirSync(folder)
        } catch {
          break // not empty (or already gone, or a link): the rest of the chain stays
        }
      }
    }
  }
}
