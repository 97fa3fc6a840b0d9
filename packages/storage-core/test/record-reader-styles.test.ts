import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { BOOLEAN, FLOAT, INT, SKIP, STRING, TIMESTAMP, readerFor } from '../src/codecs/record-reader.js'
import { type ColumnValues, columnValues } from '../src/codecs/column-values.js'
import { chosenStyle, inferColumns } from '../src/codecs/schema.js'

const NAMES = ['season', 'id', 'ppa', 'team', 'kickoff', 'neutral']
const KINDS = [SKIP, INT, FLOAT, STRING, TIMESTAMP, BOOLEAN]
const TYPES = ['null', 'int', 'float', 'string', 'timestamp', 'boolean'] as const

/** A row as a query builder or a parser hands it over, built one of the ways callers build records. */
function row(i: number, origin: 'literal' | 'spread' | 'json' | 'assigned'): Record<string, unknown> {
  const base = { id: i, ppa: i / 4, team: `team ${i % 7}`, kickoff: new Date(1_700_000_000_000 + i), neutral: i % 3 === 0 }
  switch (origin) {
    case 'literal':
      return { season: 2024, ...base }
    case 'spread':
      // Spread, then the partition key: in V8 each such record gets a hidden class of its own.
      return { ...base, season: 2024 }
    case 'json': {
      const parsed = JSON.parse(JSON.stringify({ season: 2024, ...base })) as Record<string, unknown>
      parsed.kickoff = base.kickoff
      return parsed
    }
    case 'assigned': {
      const out: Record<string, unknown> = {}
      for (const key of ['season', 'id', 'ppa', 'team', 'kickoff', 'neutral']) out[key] = key === 'season' ? 2024 : base[key as keyof typeof base]
      return out
    }
  }
}

function asArrays(values: ColumnValues[]) {
  return values.map((c) => ({ defined: Array.from(c.defined), numbers: c.numbers && Array.from(c.numbers), items: c.items && [...c.items] }))
}

describe('record readers', () => {
  it('read the same values and stop at the same record, named or keyed', () => {
    const value = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null), fc.constant(undefined))
    const record = fc
      .tuple(fc.shuffledSubarray(NAMES, { minLength: 4 }), fc.array(value, { minLength: 6, maxLength: 6 }))
      .map(([keys, values]) => Object.fromEntries(keys.map((k, j) => [k, j === 0 ? 2024 : values[j]])))
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records) => {
        const runs = (['named', 'keyed'] as const).map((style) => {
          const into = TYPES.map((t) => columnValues(t === 'null' ? 'int' : t, records.length))
          const reader = readerFor(NAMES, KINDS, true, style)!
          const stopped = reader(records, 0, into)
          return { stopped, values: asArrays(into.slice(0, stopped === records.length ? into.length : 0)) }
        })
        expect(runs[1]).toEqual(runs[0])
      }),
      { numRuns: 300 },
    )
  })

  it('made to agree, stop at a record whose partition value is not the one given (===), and only then', () => {
    const records = Array.from({ length: 8 }, (_, i) => row(i, 'literal'))
    records[5]!.season = 2025
    records[6]!.season = '2024'
    const into = () => TYPES.map((t) => columnValues(t === 'null' ? 'int' : t, records.length))
    for (const style of ['named', 'keyed'] as const) {
      const agreeing = readerFor(NAMES, KINDS, true, style, true)!
      expect(agreeing(records, 0, into(), undefined, [2024])).toBe(5)
      expect(agreeing(records, 6, into(), undefined, [2024])).toBe(6)
      expect(agreeing(records, 6, into(), 7, ['2024'])).toBe(7)
      expect(agreeing(records, 0, into(), undefined, [2024n])).toBe(0)
      // A reader not made to agree does not look at the partition column's value.
      expect(readerFor(NAMES, KINDS, true, style)!(records, 0, into())).toBe(8)
    }
  })

  it('stop at `to`', () => {
    const records = Array.from({ length: 10 }, (_, i) => row(i, 'literal'))
    for (const style of ['named', 'keyed'] as const) {
      const into = TYPES.map((t) => columnValues(t === 'null' ? 'int' : t, records.length))
      expect(readerFor(NAMES, KINDS, true, style)!(records, 2, into, 6)).toBe(6)
      expect(Array.from(into[1]!.defined)).toEqual([0, 0, 1, 1, 1, 1, 0, 0, 0, 0])
    }
  })
})

describe('inferColumns over records of each origin', () => {
  // Enough records for the reader style to be chosen by timing; whichever it is, the values are the same.
  const count = 20_000
  const expected = inferColumns(
    Array.from({ length: count }, (_, i) => row(i, 'literal')),
    true,
    ['season'],
  )

  for (const origin of ['literal', 'spread', 'json', 'assigned'] as const) {
    it(`collects the same columns from ${origin} records`, () => {
      const found = inferColumns(
        Array.from({ length: count }, (_, i) => row(i, origin)),
        true,
        ['season'],
      )
      expect(found.schema).toEqual(expected.schema)
      expect(asArrays(found.values)).toEqual(asArrays(expected.values))
    })
  }

  it('collects mixed origins, key orders and missing keys at their rows', () => {
    const origins = ['literal', 'spread', 'json', 'assigned'] as const
    const records = Array.from({ length: count }, (_, i) => {
      // Long runs of one origin (a probe sees one kind), then a stray that lacks a key.
      const r = row(i, origins[Math.floor(i / 4_500) % origins.length]!)
      if (i % 997 === 5) delete r.team
      return r
    })
    const found = inferColumns(records, true, ['season'])
    expect(found.schema).toEqual(expected.schema)
    const team = found.values[found.schema.columns.findIndex((c) => c.name === 'team')]!
    records.forEach((r, i) => {
      expect(team.defined[i]).toBe(i % 997 === 5 ? 0 : 1)
      if (i % 997 !== 0) expect(team.items![i]).toBe(r.team)
    })
    const id = found.values[found.schema.columns.findIndex((c) => c.name === 'id')]!
    expect(Array.from(id.numbers!)).toEqual(records.map((_, i) => i))
  })
})

describe('the style a probe chooses', () => {
  it('takes keyed reads only on a clear lead, and leaves them on a small one', () => {
    // From named: keyed must take under half the time.
    expect(chosenStyle('named', { named: 100, keyed: 49 })).toBe('keyed')
    expect(chosenStyle('named', { named: 100, keyed: 51 })).toBe('named')
    expect(chosenStyle('named', { named: 100, keyed: 130 })).toBe('named')
    // From keyed: named back as soon as it is 10% faster (records that share hidden classes).
    expect(chosenStyle('keyed', { named: 110, keyed: 145 })).toBe('named')
    expect(chosenStyle('keyed', { named: 100, keyed: 105 })).toBe('keyed')
    expect(chosenStyle('keyed', { named: 1100, keyed: 280 })).toBe('keyed')
  })
})
