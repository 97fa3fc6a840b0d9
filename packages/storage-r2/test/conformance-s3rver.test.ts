import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useR2Server } from './support/r2-server.js'

const r2 = useR2Server('s3rver')
// s3rver writes each object to disk: the listing spans three pages (fauxqs runs 10,001 keys).
describeConformance('r2 profile on s3rver', () => r2.storage(), { ...SERVER_QUIRKS.s3rver, distinctUnicodeNormalization: false }, {
  largeListingKeys: 2_001,
})
