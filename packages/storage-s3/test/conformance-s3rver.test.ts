import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useS3Server } from './support/s3-server.js'

const s3 = useS3Server('s3rver')
// s3rver writes each object to disk: the listing spans three S3 pages, not ten (fauxqs runs ten).
const options = { largeListingKeys: 2_001 }
describeConformance('s3 on s3rver', () => s3.storage(), SERVER_QUIRKS.s3rver, options)
// A store that made its own client sends small PUTs past the SDK's middleware (direct-put.ts).
describeConformance('s3 on s3rver, own client', () => s3.storage({ endpoint: s3.server.endpoint }), SERVER_QUIRKS.s3rver, options)
