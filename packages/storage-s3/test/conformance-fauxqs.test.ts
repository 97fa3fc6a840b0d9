import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useS3Server } from './support/s3-server.js'

const s3 = useS3Server('fauxqs')
describeConformance('s3 on fauxqs', () => s3.storage(), SERVER_QUIRKS.fauxqs, { largeListingKeys: 2_001 })
// A store that made its own client sends small PUTs past the SDK's middleware (direct-put.ts), the
// fastest way in: the one run of the s3 adapter with the full 10,001-key listing.
describeConformance('s3 on fauxqs, own client', () => s3.storage({ endpoint: s3.server.endpoint }), SERVER_QUIRKS.fauxqs)
