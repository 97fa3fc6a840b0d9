import { describeConformance } from '../src/conformance/index.js'
import { MemoryStorage } from '../src/index.js'

describeConformance('memory', () => new MemoryStorage())
