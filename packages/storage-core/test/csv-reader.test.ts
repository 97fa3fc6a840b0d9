import { describe, expect, it } from '@jest/globals'
import { type CsvReadOptions, CsvRecordReader } from '../src/codecs/csv-reader.js'

/** Every row of `text` fed in pieces of `size` characters. */
function readAll(text: string, size: number, options: CsvReadOptions = {}): Record<string, unknown>[] {
  const reader = new CsvRecordReader(options)
  const rows: Record<string, unknown>[] = []
  for (let i = 0; i < text.length; i += size) rows.push(...reader.push(text.slice(i, i + size)))
  rows.push(...reader.end())
  return rows
}

const TEAMS = '\ufeffteam;zip;code;active;score;ratio;big;note\n"Boston College";02134;02134;TRUE;1e3;NaN;9007199254740993;"a ""quoted""\r\nline"\nBU;02215;00007;false;2.5;0.5;1;""\r\nHarvard;02138;12;False;-3;1;2;\n'

describe('CsvRecordReader', () => {
  const expected = [
    { team: 'Boston College', zip: '02134', code: '02134', active: true, score: 1000, ratio: Number.NaN, big: 9007199254740993n, note: 'a "quoted"\r\nline' },
    { team: 'BU', zip: '02215', code: '00007', active: false, score: 2.5, ratio: 0.5, big: 1n, note: '' },
    { team: 'Harvard', zip: '02138', code: '12', active: false, score: -3, ratio: 1, big: 2n, note: null },
  ]

  it('reads the same rows whatever pieces the text comes in: delimiter, types per column, quotes across pieces', () => {
    for (const size of [1, 2, 3, 7, 64, TEAMS.length]) {
      expect(readAll(TEAMS, size, { delimiter: ';' })).toEqual(expected)
    }
  })

  it('takes a given type over the inferred one, and names the record whose value does not fit', () => {
    const rows = readAll('id,zip\n1,2134\n2,02215\n', 5, { types: { zip: 'string' } })
    expect(rows).toEqual([{ id: 1, zip: '2134' }, { id: 2, zip: '02215' }])
    expect(() => readAll('id,score\n1,10\n2,ten\n', 4, { types: { score: 'number' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'record 3, column "score": "ten" is not a number' }),
    )
    expect(() => readAll('at\n2024-09-01 12:00\nSep 1 2024\n', 100, { types: { at: 'timestamp' } })).toThrow(/record 3, column "at": "Sep 1 2024" is not a timestamp/)
  })

  it('infers from the first records; a later value of another type is refused, naming it', () => {
    const text = `id\n${Array.from({ length: 10 }, (_, i) => i).join('\n')}\nx\n`
    expect(() => readAll(text, 3, { sample: 5 })).toThrow(/record 12, column "id": "x" is not a number \(the type its first 5 records have\)/)
    // The same whatever the pieces: the sample is the first records, not the first pieces.
    expect(() => readAll(text, text.length, { sample: 5 })).toThrow(/record 12, column "id"/)
    expect(readAll(text, 3, { sample: 100 }).map((r) => r.id)).toEqual([...Array.from({ length: 10 }, (_, i) => String(i)), 'x'])
  })

  it('gives rows as pieces arrive once the sample is read', () => {
    const reader = new CsvRecordReader({ sample: 2 })
    expect(reader.push('a,b\n1,x\n')).toEqual([])
    expect(reader.columns).toEqual(['a', 'b'])
    expect(reader.push('2,y\n3,')).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }])
    expect(reader.push('z\n')).toEqual([{ a: 3, b: 'z' }])
    expect(reader.end()).toEqual([])
  })

  it('refuses a duplicate, empty or __proto__ header name, a record of another width and an open quote', () => {
    expect(() => readAll('id,id,name\n1,2,a\n', 3)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'the header names column "id" twice' }))
    expect(() => readAll('id,,name\n', 3)).toThrow(/empty column name/)
    expect(() => readAll('id,__proto__\n1,2\n', 3)).toThrow(/a column named "__proto__" cannot be stored/)
    expect(() => readAll('a,b\n1,2\n3\n', 3)).toThrow(expect.objectContaining({ code: 'CORRUPT_DATA', message: 'record 3 has 1 fields, the header has 2' }))
    expect(() => readAll('a\n"open\n', 3)).toThrow(/unterminated quoted field/)
    expect(() => readAll('a\n1\n', 3, { types: { zip: 'string' } })).toThrow(/column "zip", which the header lacks/)
    expect(() => new CsvRecordReader({ delimiter: '"' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  it('reads no rows from an empty file or a header alone', () => {
    expect(readAll('', 3)).toEqual([])
    expect(readAll('a,b\n', 3)).toEqual([])
    expect(readAll('a,b', 1)).toEqual([])
  })
})
