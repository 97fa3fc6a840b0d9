import type { StorageBackend } from '../facade/storage-backend.js'
import type { StoreCapabilities } from '../store/object-store.js'

/**
 * Returns a fresh, isolated backend (its own empty root) each time it is called.
 * When the backend has a `close()` or `[Symbol.asyncDispose]()` method, the suite calls it
 * after the last test, so a factory may hand out temporary folders, buckets or clients.
 */
export type BackendFactory = () => StorageBackend | Promise<StorageBackend>

/** Capabilities the suite needs to know; by default read from the backend instance. */
export type ConformanceCapabilities = Partial<StoreCapabilities>

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
