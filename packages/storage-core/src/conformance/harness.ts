import type { Row, StorageBackend } from '../facade/storage-backend.js'
import type { ObjectStore } from '../store/object-store.js'
import { compareText } from '../keys/key-order.js'
import { mapConcurrent } from '../store/concurrency.js'

/** How many requests the suite keeps in flight when it writes many objects. */
export const CONCURRENCY = 32

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** Writes `keys` (bytes from `body`), `CONCURRENCY` at a time. */
export async function writeKeys(
  storage: StorageBackend,
  keys: readonly string[],
  body: (key: string) => Uint8Array = () => new Uint8Array(0),
): Promise<void> {
  await mapConcurrent(keys, CONCURRENCY, (key) => storage.writeBytes(key, body(key)))
}

/** Rows ordered by their `id` column, for comparing sets of rows whose order is not promised. */
export function byId(rows: readonly Row[]): Row[] {
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id))
}

/** Rows without the given columns (e.g. the partition columns added on read). */
export function without(rows: readonly Row[], columns: readonly string[]): Row[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !columns.includes(key))))
}

/** Strings in UTF-8 byte order, the order S3 lists keys in. */
export function utf8Sorted(keys: readonly string[]): string[] {
  return [...keys].sort(compareText)
}

/** Keys under `prefix` that hold data: `.parquet` and `.csv` files. */
export async function dataFiles(storage: StorageBackend, prefix: string): Promise<string[]> {
  return (await storage.listFiles(prefix)).filter((key) => key.endsWith('.parquet') || key.endsWith('.csv'))
}

/** Collects every batch of an async iterable. */
export async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = []
  for await (const batch of batches) out.push(batch)
  return out
}

/** The error a promise rejects with; a promise that resolves fails the test, showing its value. */
export async function failureOf(promise: Promise<unknown>): Promise<{ code?: unknown; key?: unknown; message?: unknown }> {
  let result: unknown
  try {
    result = await promise
  } catch (error) {
    return error as { code?: unknown }
  }
  const shown = JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(result)
  throw new Error(`expected a rejection, but it resolved with ${shown.slice(0, 300)}`)
}

/** The `ObjectStore` under a backend built on `ObjectStorage`, which the store-level groups test. */
export function storeOf(backend: StorageBackend): ObjectStore {
  const store = (backend as StorageBackend & { store?: Partial<ObjectStore> }).store
  const methods = ['get', 'head', 'put', 'list', 'delete', 'root', 'fullPath'] as const
  if (store && methods.every((method) => typeof store[method] === 'function') && store.capabilities) return store as ObjectStore
  throw new Error(
    'the store-level groups test the ObjectStore under the backend: build the backend on ObjectStorage ' +
      '(its `store` field), or run describeStoreConformance on the store itself',
  )
}

/** Closes what a factory handed out, by `[Symbol.asyncDispose]()` or `close()` when it has one. */
export async function dispose(resource: object): Promise<void> {
  const r = resource as { close?: () => unknown; [Symbol.asyncDispose]?: () => PromiseLike<void> }
  if (typeof r[Symbol.asyncDispose] === 'function') await r[Symbol.asyncDispose]!()
  else if (typeof r.close === 'function') await r.close()
}

/** Closes everything in `resources` (emptying it), then throws once for all that failed to close. */
export async function disposeAll(resources: object[], label: string): Promise<void> {
  const failures: unknown[] = []
  for (const resource of resources.splice(0)) {
    try {
      await dispose(resource)
    } catch (error) {
      failures.push(error)
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, label)
}
