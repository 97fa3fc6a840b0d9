import { describe, expect, it } from '@jest/globals'
import { Compiled } from '../src/codecs/compiled.js'

describe('Compiled', () => {
  it('makes each key once, and again after the cache filled and was cleared', () => {
    const cache = new Compiled<() => number>(2)
    let made = 0
    const make = (n: number) => () => {
      made++
      return () => n
    }
    expect(cache.get('a', make(1))?.()).toBe(1)
    expect(cache.get('a', make(9))?.()).toBe(1)
    expect(cache.get('b', make(2))?.()).toBe(2)
    expect(made).toBe(2)
    // Full: the third key clears it, so 'a' is made anew.
    expect(cache.get('c', make(3))?.()).toBe(3)
    expect(cache.get('a', make(4))?.()).toBe(4)
    expect(made).toBe(4)
  })

  it('gives undefined where code generation is refused (EvalError), and remembers it', () => {
    const cache = new Compiled<() => void>(4)
    let tries = 0
    const refused = () => {
      tries++
      throw new EvalError('Code generation from strings disallowed for this context')
    }
    expect(cache.get('k', refused)).toBeUndefined()
    expect(cache.get('k', refused)).toBeUndefined()
    expect(tries).toBe(1)
  })

  it('lets any other failure through: a bug in generated source is not hidden behind the general path', () => {
    const cache = new Compiled<() => void>(4)
    expect(() => cache.get('k', () => new Function('this is not JavaScript') as () => void)).toThrow(SyntaxError)
  })
})
