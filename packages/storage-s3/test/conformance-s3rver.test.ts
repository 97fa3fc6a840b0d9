import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useS3Server } from './support/s3-server.js'

const s3 = useS3Server('s3rver')
describeConformance('s3 on s3rver', () => s3.storage(), SERVER_QUIRKS.s3rver)
