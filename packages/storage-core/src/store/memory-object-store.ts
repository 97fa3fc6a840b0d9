import { StorageError } from '../errors.js'
import type { ByteRange, ListEntry, ListOptions, ObjectInfo, ObjectStore, PutOptions, StoreCapabilities } from './object-store.js'
import { compareText } from '../keys/key-order.js'

interface Stored {
  bytes: Uint8Array
  lastModified: Date
  metadata?: Record<string, string>
}

/** The reference `ObjectStore`: a sorted map in memory. Also what users take into unit tests. */
export class MemoryObjectStore implements ObjectStore {
  readonly name = 'memory'
  readonly capabilities: StoreCapabilities = {
    conditionalPut: true,
    delimiterListing: true,
    distinctUnicodeNormalization: true,
    rangedReadOfEmptyObject: true,
    objectMetadata: true,
  }
  private readonly objects = new Map<string, Stored>()
  private sortedKeys: string[] | undefined

  async get(key: string, range: ByteRange = {}): Promise<Uint8Array> {
    const stored = this.objects.get(key)
    if (!stored) throw new StorageError('NOT_FOUND', `no such object: ${key}`, { backend: this.name, key })
    return stored.bytes.slice(range.start ?? 0, range.end ?? stored.bytes.length)
  }

  async head(key: string): Promise<ObjectInfo> {
    const stored = this.objects.get(key)
    if (!stored) throw new StorageError('NOT_FOUND', `no such object: ${key}`, { backend: this.name, key })
    return { key, size: stored.bytes.length, lastModified: stored.lastModified, metadata: stored.metadata }
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (options.ifNoneMatch === '*' && this.objects.has(key)) {
      throw new StorageError('CONFLICT', `object already exists: ${key}`, { backend: this.name, key })
    }
    if (!this.objects.has(key)) this.sortedKeys = undefined
    // Copy so a caller mutating its buffer later cannot change what was stored.
    this.objects.set(key, { bytes: bytes.slice(), lastModified: new Date(), metadata: options.metadata })
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ListEntry> {
    this.sortedKeys ??= [...this.objects.keys()].sort(compareText)
    const keys = this.sortedKeys
    let lastPrefix: string | undefined
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue
      if (options.startAfter !== undefined && compareText(key, options.startAfter) <= 0) continue
      const stored = this.objects.get(key)
      if (!stored) continue
      if (options.delimiter) {
        const cut = key.indexOf(options.delimiter, prefix.length)
        if (cut >= 0) {
          const common = key.slice(0, cut + options.delimiter.length)
          if (common !== lastPrefix) yield { kind: 'prefix', prefix: common }
          lastPrefix = common
          continue
        }
      }
      yield { kind: 'object', key, size: stored.bytes.length, lastModified: stored.lastModified, metadata: stored.metadata }
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      if (this.objects.delete(key)) this.sortedKeys = undefined
    }
  }

  root(): string {
    return 'memory://'
  }

  fullPath(key: string): string {
    return `memory://${key}`
  }
}
