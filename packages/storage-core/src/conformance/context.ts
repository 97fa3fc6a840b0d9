import type { StorageBackend } from '../facade/storage-backend.js'
import type { StoreCapabilities } from '../store/object-store.js'

/**
 * Returns a fresh, isolated backend (its own empty root) each time it is called.
 * When the backend has a `close()` or `[Symbol.asyncDispose]()` method, the suite calls it
 * after the last test, so a factory may hand out temporary folders, buckets or clients.
 */
export type BackendFactory = () => StorageBackend | Promise<StorageBackend>

/**
 * Capabilities the suite needs to know; by default read from the backend instance. Besides the
 * store's own, `utf8ListingOrder: false` declares a server that lists in another order (fauxqs
 * sorts with `localeCompare`, s3rver walks folders): the order checks then run their opposite
 * (every key exactly once) and the other store-level checks re-sort listings, as the facade does.
 */
export type ConformanceCapabilities = Partial<StoreCapabilities> & { utf8ListingOrder?: boolean }

/** Sizes the suite uses, for backends where its defaults would be slow. */
export interface ConformanceOptions {
  /**
   * Keys in the store-level listing that must span several pages. Default 10,001: more than any
   * service's page (S3 and R2: 1,000; Azure Blob: 5,000). A backend whose pages hold at most 1,000
   * keys and whose test server writes slowly may lower it, to no less than 2,001.
   */
  largeListingKeys?: number
}

/** What every behaviour group receives. */
export interface ConformanceContext {
  /** Suite name, e.g. `local`. */
  name: string
  /** A fresh backend for one test. Created lazily; cleaned up by the suite. */
  create(): Promise<StorageBackend>
  /** Capabilities after merging overrides into what the backend reports. */
  capabilities(): Promise<StoreCapabilities>
  /**
   * Capabilities declared to `describeConformance` (known before any backend exists).
   * A capability declared `false` here skips its tests at registration time.
   */
  declared: ConformanceCapabilities
}

/** A behaviour group registers its `describe`/`it` blocks. */
export type ConformanceGroup = (ctx: ConformanceContext) => void
