import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useS3Server } from './support/s3-server.js'

// moto enforces `If-None-Match: *`: every table commit is a real create-only PUT here, concurrent
// writers included. Its writes are slow (a Python server), so the listing spans three S3 pages;
// fauxqs runs the 10,001 keys.
const s3 = useS3Server('moto')
describeConformance('s3 on moto', () => s3.storage({ endpoint: s3.server.endpoint }), SERVER_QUIRKS.moto, {
  largeListingKeys: 2_001,
})
