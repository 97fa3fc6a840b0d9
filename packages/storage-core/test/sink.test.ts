/** The Parquet writer's byte buffer: text goes in as UTF-8, exactly, and text with no UTF-8 form is refused. */
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { Sink } from '../src/codecs/parquet/sink.js'
import { isWellFormedText } from '../src/keys/keys.js'

describe('Sink.utf8', () => {
  it('writes the UTF-8 bytes of well-formed text of any length, and refuses a lone surrogate', () => {
    // Short text is copied by a loop and long text by Buffer's encoder: lengths on both sides.
    const piece = fc.constantFrom('a', 'é', '東', '🏈', '\ud800', '\udc00', ',', ' ')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80, size: 'max' }), fc.integer({ min: 0, max: 5 }), (pieces, before) => {
        const text = pieces.join('')
        const sink = new Sink(8)
        sink.utf8('x'.repeat(before))
        const written = sink.utf8(text)
        if (!isWellFormedText(text)) {
          expect(written).toBe(-1)
          return
        }
        const bytes = Buffer.from(text, 'utf8')
        expect(written).toBe(bytes.length)
        expect(Buffer.from(sink.written().subarray(before))).toEqual(bytes)
      }),
      { numRuns: 2000 },
    )
  })
})
