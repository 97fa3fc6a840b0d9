import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeConformance } from '@cfb/storage-core/conformance'
import { LocalStorage } from '../src/index.js'

describeConformance('local', () => new LocalStorage({ root: mkdtempSync(join(tmpdir(), 'cfb-local-')) }))
