import type { ListEntry, ListOptions, ObjectStore, StoreCapabilities } from '../../store/object-store.js'
import { mapConcurrent } from '../../store/concurrency.js'
import { StorageError, type StorageErrorCode } from '../../errors.js'
import { compareText } from '../../keys/key-order.js'
import { CONCURRENCY, utf8 } from '../harness.js'

export { fromUtf8 as text, utf8, utf8Sorted as utf8Order } from '../harness.js'

/** What a store-level check may gate on: the store's capabilities, and the order of its listings. */
export interface StoreCaseCapabilities extends StoreCapabilities {
  /** Listings come in UTF-8 byte order, as S3's do (false only for test servers that sort otherwise). */
  utf8ListingOrder: boolean
}

/** What a check runs with besides its store. */
export interface StoreCaseContext {
  capabilities: StoreCaseCapabilities
  /** Keys in the listing that must span several pages. */
  largeListingKeys: number
}

/** More keys than any service puts in one page (S3 and R2: 1,000; Azure Blob: 5,000). */
export const LARGE_LISTING_KEYS = 10_001
/** The least a backend may lower it to: three pages of 1,000. */
export const MIN_LARGE_LISTING_KEYS = 2_001

/** One store-level check: a plain async function over a fresh, empty store; it throws to fail. */
export interface UngatedStoreCase {
  name: string
  capability?: undefined
  run(store: ObjectStore, context: StoreCaseContext): Promise<void>
}

/**
 * A check about an optional feature. `run` holds when the store declares the capability; `without`
 * is the opposite assertion that must hold when it does not, so a capability that is false never
 * turns a check into one that passes by doing nothing.
 */
export interface GatedStoreCase {
  name: string
  capability: keyof StoreCaseCapabilities
  run(store: ObjectStore, context: StoreCaseContext): Promise<void>
  without: { name: string; run(store: ObjectStore, context: StoreCaseContext): Promise<void> }
}

export type StoreCase = UngatedStoreCase | GatedStoreCase

/** A named list of cases about one operation (`list`, `get` ranges, ...). */
export interface StoreCaseGroup {
  name: string
  cases: readonly StoreCase[]
}

/** The title a case runs under, given whether the store has its capability. */
export function caseTitle(storeCase: StoreCase, has: boolean): string {
  if (storeCase.capability === undefined) return storeCase.name
  return has ? `${storeCase.name} [${storeCase.capability}]` : `${storeCase.without.name} [no ${storeCase.capability}]`
}

/** The capabilities a check runs with: the store's, then what was declared, listing order true unless declared. */
export function caseCapabilities(store: ObjectStore, declared: Partial<StoreCaseCapabilities> = {}): StoreCaseCapabilities {
  const given = Object.fromEntries(Object.entries(declared).filter(([, value]) => value !== undefined))
  return { utf8ListingOrder: true, ...store.capabilities, ...given }
}

/**
 * Runs the side of `storeCase` that applies to `context.capabilities`. On a store declared to list
 * in another order, every check but the order checks sees its listings re-sorted, as the facade
 * re-sorts them, so each still proves what it is about.
 */
export async function runStoreCase(storeCase: StoreCase, store: ObjectStore, context: StoreCaseContext): Promise<void> {
  const view = context.capabilities.utf8ListingOrder || storeCase.capability === 'utf8ListingOrder' ? store : resorted(store)
  if (storeCase.capability !== undefined && !context.capabilities[storeCase.capability]) {
    return storeCase.without.run(view, context)
  }
  return storeCase.run(view, context)
}

/** `store` with each listing collected and yielded in UTF-8 byte order. */
function resorted(store: ObjectStore): ObjectStore {
  const name = (entry: ListEntry) => (entry.kind === 'object' ? entry.key : entry.prefix)
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'list') {
        const value = Reflect.get(target, property, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (prefix: string, options?: ListOptions) =>
        (async function* () {
          const entries: ListEntry[] = []
          for await (const entry of target.list(prefix, options)) entries.push(entry)
          yield* entries.sort((a, b) => compareText(name(a), name(b)))
        })()
    },
  })
}

/** Puts every key (its own name as its bytes unless `body` says otherwise), with bounded concurrency. */
export async function putAll(
  store: ObjectStore,
  keys: readonly string[],
  body: (key: string) => Uint8Array = utf8,
): Promise<void> {
  await mapConcurrent(keys, CONCURRENCY, (key) => store.put(key, body(key)))
}

/** Every entry of a listing, in the order the store yields them. */
export async function listAll(store: ObjectStore, prefix: string, options?: ListOptions): Promise<ListEntry[]> {
  const entries: ListEntry[] = []
  for await (const entry of store.list(prefix, options)) entries.push(entry)
  return entries
}

/** The keys of a listing (objects only), in the order the store yields them. */
export async function listKeys(store: ObjectStore, prefix: string, options?: ListOptions): Promise<string[]> {
  return (await listAll(store, prefix, options)).map((entry) => (entry.kind === 'object' ? entry.key : `prefix:${entry.prefix}`))
}

/** The error `promise` rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error(`${what} succeeded; it must fail`)
}

/** Fails unless `error` is a `StorageError` with `code`. */
export function expectCode(error: unknown, code: StorageErrorCode, what: string): void {
  if (error instanceof StorageError && error.code === code) return
  const got = error instanceof StorageError ? `StorageError ${error.code}` : String(error)
  throw new Error(`${what} must fail with StorageError ${code}, got ${got}`)
}

/** `n` keys under `prefix`, zero-padded so their order is their number's. */
export function numberedKeys(prefix: string, n: number): string[] {
  const width = String(n - 1).length
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`)
}
