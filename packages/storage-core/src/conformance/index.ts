/**
 * The shared conformance suite. Every adapter proves itself with it:
 *
 * ```ts
 * import { describeConformance } from '@cfb/storage-core/conformance'
 * import { MemoryStorage } from '@cfb/storage-core'
 * describeConformance('memory', () => new MemoryStorage())
 * ```
 *
 * One behaviour group per file in `./groups` (through the `StorageBackend` API) and in `./store`
 * (the `ObjectStore` primitives directly, as object_store's `integration.rs` and OpenDAL's
 * behaviour tests do); `describeStoreConformance` runs the latter on a bare store. Every
 * capability is asserted either way, as abstract-level's `db.supports` is.
 */
import { afterAll, describe } from '@jest/globals'
import type { StorageBackend } from '../facade/storage-backend.js'
import type { StoreCapabilities } from '../store/object-store.js'
import type {
  BackendFactory,
  ConformanceCapabilities,
  ConformanceContext,
  ConformanceGroup,
  ConformanceOptions,
} from './context.js'
import { badInput } from './groups/bad-input.js'
import { corruptFiles } from './groups/corrupt-files.js'
import { deletion } from './groups/delete.js'
import { filters } from './groups/filters.js'
import { hostileInput } from './groups/hostile-input.js'
import { keysAndListing } from './groups/keys-and-listing.js'
import { legacyLayout } from './groups/legacy.js'
import { overwriteAppendEmpty } from './groups/overwrite-append-empty.js'
import { partitions } from './groups/partitions.js'
import { pathApi } from './groups/path-api.js'
import { projection } from './groups/projection.js'
import { recordProperties } from './groups/properties.js'
import { ranges } from './groups/ranges.js'
import { scan } from './groups/scan.js'
import { schemaConflicts } from './groups/schema-conflicts.js'
import { typesRoundTrip } from './groups/types-roundtrip.js'
import { transfer } from './groups/transfer.js'
import { disposeAll, storeOf } from './harness.js'
import { writeBatches } from './groups/write-batches.js'
import { writePartitioned } from './groups/write-partitioned.js'
import { registerStoreCases } from './store/suite.js'

export type {
  BackendFactory,
  ConformanceCapabilities,
  ConformanceContext,
  ConformanceGroup,
  ConformanceOptions,
} from './context.js'
export { itWhen } from './gate.js'
export type {
  GatedStoreCase,
  StoreCase,
  StoreCaseCapabilities,
  StoreCaseContext,
  StoreCaseGroup,
  UngatedStoreCase,
} from './store/index.js'
export { caseCapabilities, caseTitle, LARGE_LISTING_KEYS, runStoreCase, storeCaseGroups } from './store/index.js'
export { describeStoreConformance, type StoreFactory } from './store/suite.js'

/** Every behaviour group, in the order the suite runs them. */
export const conformanceGroups: readonly ConformanceGroup[] = [
  keysAndListing,
  ranges,
  deletion,
  pathApi,
  partitions,
  filters,
  projection,
  overwriteAppendEmpty,
  writePartitioned,
  writeBatches,
  typesRoundTrip,
  schemaConflicts,
  scan,
  legacyLayout,
  badInput,
  hostileInput,
  corruptFiles,
  recordProperties,
  transfer,
]

/**
 * Registers the whole suite for one backend under `describe(\`${name} conformance\`)`.
 *
 * The store-level groups (`storeCaseGroups`) run too, on the `store` of each backend, so a
 * backend built on `ObjectStorage` is tested through the facade and directly.
 *
 * @param factory returns a fresh, isolated backend (its own empty root) on every call
 * @param capabilities overrides merged over what the backend reports; a capability declared
 *   `false` here runs the opposite assertion of its tests (or skips a test that has none)
 * @param options sizes, for backends where the defaults would be slow
 */
export function describeConformance(
  name: string,
  factory: BackendFactory,
  capabilities: ConformanceCapabilities = {},
  options: ConformanceOptions = {},
): void {
  describe(`${name} conformance`, () => {
    const created: StorageBackend[] = []
    let reported: StoreCapabilities | undefined

    const create = async (): Promise<StorageBackend> => {
      const backend = await factory()
      created.push(backend)
      return backend
    }

    const ctx: ConformanceContext = {
      name,
      create,
      declared: Object.fromEntries(Object.entries(capabilities).filter(([, value]) => value !== undefined)),
      async capabilities() {
        if (reported === undefined) {
          const backend = created[0] ?? (await create())
          reported = { ...backend.capabilities }
        }
        const overrides = Object.entries(capabilities).filter(([, value]) => value !== undefined)
        return { ...reported, ...Object.fromEntries(overrides) }
      },
    }

    for (const group of conformanceGroups) group(ctx)
    const storeTitle =
      options.largeListingKeys === undefined ? 'object store' : `object store (large listing: ${options.largeListingKeys} keys)`
    describe(storeTitle, () => registerStoreCases(async () => storeOf(await create()), capabilities, options))

    afterAll(() => disposeAll(created, `${name}: closing backends failed`))
  })
}
