import { afterAll, describe, it } from '@jest/globals'
import type { ObjectStore } from '../../store/object-store.js'
import type { ConformanceCapabilities, ConformanceOptions } from '../context.js'
import { disposeAll } from '../harness.js'
import {
  caseCapabilities,
  caseTitle,
  LARGE_LISTING_KEYS,
  MIN_LARGE_LISTING_KEYS,
  runStoreCase,
  type StoreCase,
} from './case.js'
import { storeCaseGroups } from './index.js'

/** Returns a fresh, isolated, empty store each time it is called. */
export type StoreFactory = () => ObjectStore | Promise<ObjectStore>

/** What is known of a capability before any store exists: only what was declared. */
function declaredTitle(storeCase: StoreCase, declared: ConformanceCapabilities): string {
  if (storeCase.capability === undefined) return storeCase.name
  const value = declared[storeCase.capability]
  return value === undefined ? `${storeCase.name} [${storeCase.capability}]` : caseTitle(storeCase, value)
}

/**
 * Registers one `it` per store-level case, each on a fresh store from `create`. A gated case runs
 * its `run` when the capability (declared, else the store's own) is true and its opposite
 * assertion when it is false, so no capability makes a test pass by doing nothing.
 */
export function registerStoreCases(
  create: () => Promise<ObjectStore>,
  declared: ConformanceCapabilities,
  options: ConformanceOptions = {},
): void {
  const largeListingKeys = options.largeListingKeys ?? LARGE_LISTING_KEYS
  if (!Number.isSafeInteger(largeListingKeys) || largeListingKeys < MIN_LARGE_LISTING_KEYS) {
    throw new Error(`largeListingKeys must be a whole number of at least ${MIN_LARGE_LISTING_KEYS} (three pages of 1,000)`)
  }
  for (const group of storeCaseGroups) {
    describe(group.name, () => {
      for (const storeCase of group.cases) {
        it(declaredTitle(storeCase, declared), async () => {
          const store = await create()
          const capabilities = caseCapabilities(store, declared)
          try {
            await runStoreCase(storeCase, store, { capabilities, largeListingKeys })
          } catch (error) {
            const side = caseTitle(storeCase, storeCase.capability === undefined || capabilities[storeCase.capability])
            if (error instanceof Error) error.message = `${store.name}: ${side}\n${error.message}`
            throw error
          }
        })
      }
    })
  }
}

/**
 * Registers the store-level suite for a bare `ObjectStore` under
 * `describe(\`${name} object store conformance\`)`. (`describeConformance` runs it too, on the
 * `store` of every backend it creates.)
 *
 * @param factory returns a fresh, isolated, empty store on every call; a store with `close()` or
 *   `[Symbol.asyncDispose]()` is closed after the last test
 * @param capabilities overrides merged over what the store reports
 * @param options sizes, for backends where the defaults would be slow
 */
export function describeStoreConformance(
  name: string,
  factory: StoreFactory,
  capabilities: ConformanceCapabilities = {},
  options: ConformanceOptions = {},
): void {
  const sized = options.largeListingKeys === undefined ? '' : ` (large listing: ${options.largeListingKeys} keys)`
  describe(`${name} object store conformance${sized}`, () => {
    const created: ObjectStore[] = []
    registerStoreCases(async () => {
      const store = await factory()
      created.push(store)
      return store
    }, capabilities, options)
    afterAll(() => disposeAll(created, `${name}: closing stores failed`))
  })
}
