/**
 * The small primitive interface every backend implements. Everything above it (datasets, commits,
 * codecs, filters) lives in core, so behaviour is the same on every backend by construction.
 * Keys are relative to the store's root, already validated by `keys.ts`.
 */

/** Metadata of one stored object. */
export interface ObjectInfo {
  key: string
  size: number
  lastModified?: Date
  etag?: string
  /** User metadata stored with the object (e.g. `sha256`), when the listing or head carried it. */
  metadata?: Record<string, string>
}

/** One entry of a listing: an object, or (with a delimiter) a common prefix ending in the delimiter. */
export type ListEntry = ({ kind: 'object' } & ObjectInfo) | { kind: 'prefix'; prefix: string }

export interface ListOptions {
  /** Group keys by this delimiter (only `/` is required to work) and yield `prefix` entries. */
  delimiter?: string
  /** A hint that the caller stops after this many entries (S3 sends it as `MaxKeys`). */
  limit?: number
  /**
   * A hint: only keys after this one (in UTF-8 byte order) are wanted, as S3's `StartAfter`. A
   * store may still yield earlier keys; callers skip them.
   */
  startAfter?: string
}

/** Half-open byte range `[start, end)`, as `Uint8Array.prototype.slice` takes it. */
export interface ByteRange {
  start?: number
  end?: number
}

export interface PutOptions {
  /** `'*'`: fail with `CONFLICT` when the key exists (needs `capabilities.conditionalPut`). */
  ifNoneMatch?: '*'
  contentType?: string
  metadata?: Record<string, string>
  /**
   * The caller has no other work to overlap with this put (it waits for it alone): a store may do
   * the I/O on the calling thread rather than hand it off. Only speed depends on it.
   */
  mayBlock?: boolean
}

/** What a store can do. The conformance suite reads it to gate optional groups. */
export interface StoreCapabilities {
  /** `put(..., { ifNoneMatch: '*' })` is atomic create-if-absent. */
  conditionalPut: boolean
  /** `list(prefix, { delimiter: '/' })` returns common prefixes correctly under any prefix. */
  delimiterListing: boolean
  /** Keys that differ only in Unicode normalisation are distinct objects. */
  distinctUnicodeNormalization: boolean
  /** A ranged read of a 0-byte object returns no bytes (S3 answers 416; s3rver drops the connection). */
  rangedReadOfEmptyObject: boolean
  /** `put(..., { metadata })` is kept and `head()` returns it (S3 user metadata; not local files). */
  objectMetadata: boolean
}

export interface ObjectStore {
  /** Short backend name used in errors: `memory`, `local`, `s3`, `r2`. */
  readonly name: string
  readonly capabilities: StoreCapabilities
  /**
   * Bytes of `key` (or of `range` of it), the caller's own: nothing else keeps or reuses them.
   * `NOT_FOUND` when missing.
   */
  get(key: string, range?: ByteRange): Promise<Uint8Array>
  /** Metadata of `key`. `NOT_FOUND` when missing. */
  head(key: string): Promise<ObjectInfo>
  /** Creates or replaces `key` atomically: readers see the old bytes or the new, never a mix. */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void>
  /** Every key starting with `prefix` (a plain string prefix, not a folder), in lexical order. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry>
  /** Deletes the keys; keys that do not exist are not an error. */
  delete(keys: readonly string[]): Promise<void>
  /**
   * Optional: removes the store's own leftovers under `prefix` older than `olderThanMs` — files a
   * killed writer left that listings never show (local temp files). Returns the keys removed.
   */
  removeLeftovers?(prefix: string, olderThanMs: number): Promise<string[]>
  /** The backend's own address of the store root (`/abs/path`, `s3://bucket/prefix`). */
  root(): string
  /** The backend's own address of `key`. */
  fullPath(key: string): string
}
