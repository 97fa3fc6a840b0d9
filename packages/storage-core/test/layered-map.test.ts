import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { LayeredMap } from '../src/table/layered-map.js'

type Op = { set: number; value: number } | { delete: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ set: fc.integer({ min: 0, max: 40 }), value: fc.integer() }),
  fc.record({ delete: fc.integer({ min: 0, max: 40 }) }),
)

/** What a map holds, and answers, as one comparable value (order aside: the model's order differs after a delete and re-set). */
function contents(map: ReadonlyMap<number, number>) {
  const entries = [...map].sort((a, b) => a[0] - b[0])
  const viaForEach: [number, number][] = []
  map.forEach((value, key) => {
    viaForEach.push([key, value])
  })
  return {
    size: map.size,
    entries,
    keys: [...map.keys()].sort((a, b) => a - b),
    values: [...map.values()].sort((a, b) => a - b),
    forEach: viaForEach.sort((a, b) => a[0] - b[0]),
    lookups: Array.from({ length: 42 }, (_, k) => [map.has(k), map.get(k)]),
  }
}

describe('LayeredMap', () => {
  it('holds what a Map holds after the same sets and deletes, version after version, and leaves earlier versions as they were', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 30 }), { maxLength: 12 }), (versions) => {
        let model = new Map<number, number>()
        let layered: ReadonlyMap<number, number> = new Map()
        const kept: { layered: ReadonlyMap<number, number>; model: Map<number, number> }[] = []
        for (const ops of versions) {
          const next = LayeredMap.over(layered)
          model = new Map(model)
          for (const o of ops) {
            if ('set' in o) {
              next.set(o.set, o.value)
              model.set(o.set, o.value)
            } else expect(next.delete(o.delete)).toBe(model.delete(o.delete))
          }
          expect(contents(next)).toEqual(contents(model))
          kept.push({ layered: next, model })
          layered = next
        }
        for (const version of kept) expect(contents(version.layered)).toEqual(contents(version.model))
      }),
      { numRuns: 300 },
    )
  })

  it('keeps a base entry in its place when it is given a new value, and new keys after the base in the order they were set', () => {
    const next = LayeredMap.over(new Map([['a', 1], ['b', 2], ['c', 3]]))
    next.set('d', 4)
    next.set('b', 20)
    next.delete('a')
    next.set('e', 5)
    expect([...next]).toEqual([['b', 20], ['c', 3], ['d', 4], ['e', 5]])
  })

  it('folds its changes into a new base once they outgrow the base, so a long run of small versions keeps lookups two deep', () => {
    let map: LayeredMap<number, number> = LayeredMap.over(new Map(Array.from({ length: 10_000 }, (_, i) => [i, i])))
    const bases = new Set<unknown>()
    for (let v = 0; v < 2_000; v++) {
      map = LayeredMap.over(map)
      map.delete(v)
      map.set(10_000 + v, v)
      bases.add((map as unknown as { base: unknown }).base)
      const changes = (map as unknown as { added: Map<number, number>; hidden: Set<number> })
      expect(changes.added.size + changes.hidden.size).toBeLessThanOrEqual(2 + 64 + 4 * Math.sqrt(12_000))
    }
    // Folded now and then, not every version and not never.
    expect(bases.size).toBeGreaterThan(2)
    expect(bases.size).toBeLessThan(200)
    expect(map.size).toBe(10_000)
    expect(map.has(1_999)).toBe(false)
    expect(map.get(2_000)).toBe(2_000)
    expect(map.get(11_999)).toBe(1_999)
  })
})
