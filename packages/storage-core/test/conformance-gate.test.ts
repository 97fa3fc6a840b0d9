import { afterAll, describe, expect } from '@jest/globals'
import { type ConformanceContext, itWhen } from '../src/conformance/index.js'
import { MemoryStorage } from '../src/index.js'

/** A context whose backend lacks `conditionalPut` at run time; `declared` as given. */
function context(declared: ConformanceContext['declared']): ConformanceContext {
  const backend = new MemoryStorage()
  return {
    name: 'gate',
    declared,
    create: async () => backend,
    capabilities: async () => ({ ...backend.capabilities, conditionalPut: false }),
  }
}

// Which side of each gated test ran; checked after all of them.
const ran: string[] = []
afterAll(() => {
  expect(ran.sort()).toEqual(['declared false: otherwise', 'false at run time: otherwise'])
})

describe('itWhen on a capability the backend lacks', () => {
  itWhen(context({}), 'conditionalPut')(
    'runs the opposite assertion when the capability turns out false at run time',
    async () => {
      ran.push('false at run time: fn')
    },
    async () => {
      ran.push('false at run time: otherwise')
    },
  )
  itWhen(context({ conditionalPut: false }), 'conditionalPut')(
    'runs the opposite assertion when the capability is declared false',
    async () => {
      ran.push('declared false: fn')
    },
    async () => {
      ran.push('declared false: otherwise')
    },
  )
})
