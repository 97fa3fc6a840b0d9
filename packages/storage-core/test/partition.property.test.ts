import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { decodeSegment, encodeSegment, NULL_MARKER, Partition, type PartitionInput } from '../src/partition/partition.js'

// Keys start with a letter: a JavaScript object puts integer-like keys ('0', '2024') first whatever
// order they were given in, so no object-based API can keep their order.
const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/)
const anyText = fc.string({ unit: 'binary', maxLength: 30 })
const value = fc.oneof(
  anyText,
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(NULL_MARKER, '', '=', '/', '%', '%2F', 'A&M / Texas', '2024', 'true', 'null'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.boolean(),
  fc.constant(null),
)
const partition = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 5 })

describe('Partition encoding (property-based)', () => {
  it('parses its own path suffix back to the same values and key order', () => {
    fc.assert(
      fc.property(partition, (entries) => {
        const input: PartitionInput = Object.fromEntries(entries)
        const p = new Partition(input)
        const parsed = Partition.parse(p.pathSuffix(), p.types())
        expect(parsed.values).toEqual(input)
        expect(parsed.keys).toEqual(entries.map(([k]) => k))
        expect(parsed.pathSuffix()).toBe(p.pathSuffix())
        expect(parsed.equals(p)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('writes one folder level per key: no value ever produces a "/"', () => {
    fc.assert(
      fc.property(partition, (entries) => {
        const suffix = new Partition(Object.fromEntries(entries)).pathSuffix()
        expect(suffix === '' ? 0 : suffix.split('/').length).toBe(entries.length)
      }),
    )
  })

  it('encodes only unreserved characters and upper-case %XX, and decodes back', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const encoded = encodeSegment(text)
        expect(encoded).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/)
        expect(decodeSegment(encoded)).toBe(text)
      }),
      { numRuns: 500 },
    )
  })

  it('decodes lower-case %xx as well as upper-case', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const lower = encodeSegment(text).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
        expect(decodeSegment(lower)).toBe(text)
      }),
    )
  })

  it('keeps null and the literal marker string apart in any position', () => {
    fc.assert(
      fc.property(key, (k) => {
        const asNull = new Partition({ [k]: null })
        const asText = new Partition({ [k]: NULL_MARKER })
        expect(asNull.pathSuffix()).not.toBe(asText.pathSuffix())
        expect(Partition.parse(asNull.pathSuffix()).values[k]).toBeNull()
        expect(Partition.parse(asText.pathSuffix()).values[k]).toBe(NULL_MARKER)
      }),
    )
  })

  it('gives 2024 and "2024" the same folder', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(new Partition({ season: n }).pathSuffix()).toBe(new Partition({ season: String(n) }).pathSuffix())
      }),
    )
  })
})
