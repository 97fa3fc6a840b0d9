import { describeConformance } from '@cfb/storage-core/conformance'
import { SERVER_QUIRKS } from '@cfb/test-servers'
import { useR2Server } from './support/r2-server.js'

const r2 = useR2Server('fauxqs')
describeConformance('r2 profile on fauxqs', () => r2.storage(), { ...SERVER_QUIRKS.fauxqs, distinctUnicodeNormalization: false })
