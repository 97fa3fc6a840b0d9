import { expect } from '@jest/globals'
import type { StorageErrorCode } from '../../errors.js'
import type { Row, StorageBackend } from '../../facade/storage-backend.js'
import { collect, failureOf } from '../harness.js'

/**
 * One row of a table of hostile or broken input. A refusal asserts its error code, the key it
 * names where one is involved, and that the listing is unchanged (nothing was written). Input
 * that is legitimately representable asserts the round trip instead.
 */

/** Keys a case's setup hands to its action and checks (e.g. the data file it corrupted). */
export type Seed = Record<string, string>

export interface Refusal {
  name: string
  code: StorageErrorCode
  setup?: (storage: StorageBackend) => Promise<Seed>
  act: (storage: StorageBackend, seed: Seed) => Promise<unknown>
  /** The key the error must name. */
  key?: (seed: Seed) => string
  /** What the message must mention, e.g. the offending column. */
  mentions?: RegExp
  /** More checks once the refusal is seen (other calls refuse too, healthy partitions still read). */
  after?: (storage: StorageBackend, seed: Seed) => Promise<void>
}

export interface RoundTrip {
  name: string
  roundTrip: (storage: StorageBackend) => Promise<void>
}

export type HostileCase = Refusal | RoundTrip

export const P = { season: 2024 }

export async function expectCode(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  expect((await failureOf(promise)).code).toBe(code)
}

/** Reads every batch of a scan, so a failure anywhere in it surfaces as a rejection. */
export async function scanAll(storage: StorageBackend, entity: string): Promise<Row[]> {
  return (await collect(storage.scan(entity))).flat()
}

export async function runCase(storage: StorageBackend, c: HostileCase): Promise<void> {
  if ('roundTrip' in c) {
    await c.roundTrip(storage)
    return
  }
  const seed = c.setup ? await c.setup(storage) : {}
  const before = await storage.listFiles('')
  const error = await failureOf(c.act(storage, seed))
  expect(error).toMatchObject({ name: 'StorageError', code: c.code })
  if (c.key) expect(error.key).toBe(c.key(seed))
  if (c.mentions) expect(String(error.message)).toMatch(c.mentions)
  expect(await storage.listFiles('')).toEqual(before)
  await c.after?.(storage, seed)
}
