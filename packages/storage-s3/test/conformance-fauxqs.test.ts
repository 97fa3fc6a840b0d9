import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useS3Server } from './support/s3-server.js'

const s3 = useS3Server('fauxqs')
describeConformance('s3 on fauxqs', () => s3.storage(), SERVER_QUIRKS.fauxqs)
