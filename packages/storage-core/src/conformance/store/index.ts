import type { StoreCaseGroup } from './case.js'
import { conditionalCreateGroup } from './conditional-create.js'
import { deleteGroup } from './delete.js'
import { headGroup } from './head.js'
import { listGroup } from './list.js'
import { metadataGroup } from './metadata.js'
import { rangesGroup } from './ranges.js'

/** Every store-level group, in the order the suite runs them. */
export const storeCaseGroups: readonly StoreCaseGroup[] = [
  listGroup,
  rangesGroup,
  headGroup,
  conditionalCreateGroup,
  metadataGroup,
  deleteGroup,
]

export type { GatedStoreCase, StoreCase, StoreCaseCapabilities, StoreCaseContext, StoreCaseGroup, UngatedStoreCase } from './case.js'
export { caseCapabilities, caseTitle, LARGE_LISTING_KEYS, runStoreCase } from './case.js'
