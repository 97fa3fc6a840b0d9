import { describeStoreConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useR2Server } from './support/r2-server.js'

// moto enforces `If-None-Match: *`, as R2 does: conditional create is exercised, not refused.
const r2 = useR2Server('moto')
describeStoreConformance('r2 profile on moto', () => r2.storage().store, { ...SERVER_QUIRKS.moto, distinctUnicodeNormalization: false }, {
  largeListingKeys: 2_001,
})
