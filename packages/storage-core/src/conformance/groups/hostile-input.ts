import { describe, expect, it } from '@jest/globals'
import type { FileFormat, Row } from '../../facade/storage-backend.js'
import { NULL_MARKER, type PartitionInput } from '../../partition/partition.js'
import type { ConformanceGroup } from '../context.js'
import { byId, utf8 } from '../harness.js'
import { expectCode, type HostileCase, P, type Refusal, type RoundTrip, runCase, scanAll } from './hostile-case.js'

/**
 * Hostile and broken input, one row of a table per case. A refusal asserts its error code, the key
 * it names where one is involved, and that the listing is unchanged (nothing was written). Input
 * that is legitimately representable (escaped partition values, NaN in a float column, a 5 MB
 * string) asserts the round trip instead. Corrupt files are the `corrupt files` group's.
 */


// ------------------------------------------------------------------ cases

function badEntity(label: string, entity: unknown): Refusal {
  return {
    name: `entity ${label}`,
    code: 'INVALID_ARGUMENT',
    act: (s) => s.write(entity as string, [{ id: 1 }], P),
    after: async (s) => {
      await expectCode(s.readIndex(entity as string), 'INVALID_ARGUMENT')
      await expectCode(s.listPartitions(entity as string), 'INVALID_ARGUMENT')
      await expectCode(scanAll(s, entity as string), 'INVALID_ARGUMENT')
      await expectCode(s.vacuum(entity as string), 'INVALID_ARGUMENT')
    },
  }
}

function badPartition(label: string, partition: unknown): Refusal {
  return {
    name: `partition ${label}`,
    code: 'INVALID_ARGUMENT',
    // Data elsewhere, so "nothing written" is checked against a non-empty listing; a fresh entity,
    // so the refusal cannot come from a clash with known partition keys.
    setup: async (s) => {
      await s.write('other', [{ id: 0 }], { season: 2023 })
      return {}
    },
    act: (s) => s.write('games', [{ id: 1 }], partition as PartitionInput),
  }
}

function badPath(label: string, key: string): Refusal {
  return {
    name: `path ${label}`,
    code: 'INVALID_ARGUMENT',
    act: (s) => s.writeBytes(key, utf8('x')),
    after: async (s) => {
      await expectCode(s.writeParquet(key, [{ id: 1 }]), 'INVALID_ARGUMENT')
      await expectCode(s.readBytes(key), 'INVALID_ARGUMENT')
      await expectCode(s.exists(key), 'INVALID_ARGUMENT')
      await expectCode(s.delete(key), 'INVALID_ARGUMENT')
    },
  }
}

function notPlainData(label: string, value: () => unknown): Refusal {
  return {
    name: `value: ${label}`,
    code: 'INVALID_ARGUMENT',
    act: (s) => s.write('games', [{ id: 1, meta: null }, { id: 2, meta: value() }], P),
    mentions: /meta/,
  }
}

/** 100 valid strings, then one with a lone surrogate, then more: refused whole, naming the column. */
function loneSurrogateAfterText(label: string, format: 'parquet' | 'csv', text: (i: number) => string, bad = 'Texas A\udc00M'): Refusal {
  const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, team: i === 100 ? bad : text(i) }))
  return {
    name: `value: a lone surrogate after valid strings, ${label}`,
    code: 'INVALID_ARGUMENT',
    act: (s) => (format === 'csv' ? s.writeCsv('raw/games.csv', rows) : s.write('games', rows, P)),
    mentions: /team/,
  }
}

function mixedTypes(label: string, a: unknown, b: unknown): Refusal {
  return {
    name: `mixed column: ${label}`,
    code: 'SCHEMA_MISMATCH',
    act: (s) => s.write('games', [{ id: 1, score: a }, { id: 2, score: null }, { id: 3, score: b }], P),
    mentions: /score/,
  }
}

/** Each value is written to its own partition of one entity; each reads back unchanged, by filter too. */
function partitionValuesRoundTrip(label: string, values: readonly (string | null)[]): RoundTrip {
  return {
    name: `partition values round-trip: ${label}`,
    roundTrip: async (s) => {
      for (const [id, value] of values.entries()) await s.write('teams', [{ id }], { conference: value })
      const rows = byId(await s.readIndex('teams'))
      expect(rows).toEqual(values.map((conference, id) => ({ id, conference })))
      for (const [id, value] of values.entries()) {
        expect(await s.readIndex('teams', { conference: value })).toEqual([{ id, conference: value }])
      }
      const order = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)
      const listed = (await s.listPartitions('teams')).map((p) => p.values.conference)
      expect([...listed].sort(order)).toEqual([...values].sort(order))
      // Every data file stays inside its partition folder: escaping never adds or removes a level.
      for (const key of await s.listFiles('')) {
        if (key.startsWith('teams/_delta_log/')) continue
        expect(key.startsWith('teams/conference=')).toBe(true)
        expect(key.split('/')).toHaveLength(3)
      }
    },
  }
}

function floatsRoundTrip(format: FileFormat): RoundTrip {
  return {
    name: `NaN, ±Infinity and -0 in a float column round-trip (${format}), as Parquet DOUBLE holds them`,
    roundTrip: async (s) => {
      const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1.5, 2]
      const rows = values.map((v, id) => ({ id, v }))
      // Tables hold Parquet; CSV goes through the path API.
      if (format === 'csv') await s.writeCsv('floats/data.csv', rows)
      else await s.write('floats', rows, P)
      const back = byId(format === 'csv' ? await s.readCsv('floats/data.csv') : await s.readIndex('floats')).map((row) => row.v)
      // toEqual tells -0 from 0 and takes NaN as NaN.
      expect(back).toEqual(values)
      expect(Object.is(back[3], -0)).toBe(true)
    },
  }
}

// ---------------------------------------------------------------- the table

const CASES: readonly HostileCase[] = [
  // Entity names that escape the root or hide.
  badEntity('"../outside" (parent)', '../outside'),
  badEntity('".." (parent itself)', '..'),
  badEntity('"." (the root itself)', '.'),
  badEntity('"/etc" (absolute)', '/etc'),
  badEntity('"a/b" (a slash)', 'a/b'),
  badEntity('"a\\\\b" (a backslash)', 'a\\b'),
  badEntity('with NUL', 'games\u0000.parquet'),
  badEntity('with a newline', 'games\nx'),
  badEntity('with an ANSI escape', '\u001b[31mgames'),
  badEntity('with DEL', 'games\u007f'),
  badEntity('".hidden" (leading dot)', '.hidden'),
  badEntity('"_hidden" (leading underscore)', '_hidden'),
  badEntity('of 129 characters', 'e'.repeat(129)),
  badEntity('over 1024 bytes', 'e'.repeat(1100)),
  badEntity('that is not a string', 42),

  // Partition keys and partition objects.
  badPartition('key ".."', { '..': 1 }),
  badPartition('key "../x"', { '../x': 1 }),
  badPartition('key "a/b"', { 'a/b': 1 }),
  badPartition('key with NUL', { 'a\u0000b': 1 }),
  badPartition('key with a tab', { 'a\tb': 1 }),
  badPartition('key "a=b"', { 'a=b': 1 }),
  badPartition('key "_k" (leading underscore)', { _k: 1 }),
  badPartition('key ".k" (leading dot)', { '.k': 1 }),
  badPartition('key of 129 characters', { ['k'.repeat(129)]: 1 }),
  badPartition('given as a Map', new Map([['season', 2024]])),
  badPartition('value over 255 bytes in one folder name', { season: 'x'.repeat(300) }),
  badPartition(
    'values making a key over 1024 bytes',
    Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, 'v'.repeat(200)])),
  ),
  badPartition('value with a lone surrogate (not UTF-8)', { season: 'a\ud800b' }),

  // Path API keys.
  badPath('"/etc/passwd" (absolute)', '/etc/passwd'),
  badPath('"../../etc/passwd" (parent)', '../../etc/passwd'),
  badPath('"a/../../b" (parent inside)', 'a/../../b'),
  badPath('"C:\\\\x" (backslash)', 'C:\\x'),
  badPath('with an ESC control character', 'notes/\u001b.txt'),
  badPath('with a C1 control character', 'notes/\u0085.txt'),
  badPath('over 1024 bytes', `${`${'d'.repeat(200)}/`.repeat(6)}x.bin`),
  badPath('with a folder name over 255 bytes', `notes/${'n'.repeat(300)}.txt`),
  badPath('with a lone surrogate (not UTF-8)', 'notes/a\udc00.txt'),

  // Partition values that need escaping or look like the null marker: legitimate, so they round-trip.
  partitionValuesRoundTrip('path-like', ['../../etc', 'a/../b', '/abs', '..', '.']),
  partitionValuesRoundTrip('percent, equals, backslash', ['%', '%2F', '100%25', 'a=b', 'C:\\x']),
  partitionValuesRoundTrip('null marker, its escaped form, null', [
    NULL_MARKER,
    `%5F${NULL_MARKER.slice(1)}`,
    null,
    'null',
  ]),
  partitionValuesRoundTrip('control characters and NUL', ['\u0000', 'a\nb', '\t', '\u001b[0m']),
  partitionValuesRoundTrip('leading dot or underscore, empty', ['.hidden', '_hidden', '', ' ']),
  partitionValuesRoundTrip('unicode', ['São Paulo', '日本', '😀', '\u202eevil']),

  // Records that are not plain data.
  notPlainData('a cycle', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    return cyclic
  }),
  notPlainData('a cycle through an array', () => {
    const list: unknown[] = [1]
    list.push({ list })
    return list
  }),
  notPlainData('a function', () => () => 1),
  notPlainData('a symbol', () => Symbol('x')),
  notPlainData('a class instance', () => new (class Team {
    name = 'Navy'
  })()),
  notPlainData('a Map', () => new Map([['a', 1]])),
  notPlainData('a Set', () => new Set([1])),
  notPlainData('an invalid Date', () => new Date(Number.NaN)),
  notPlainData('a Date inside nested JSON', () => ({ kickoff: new Date(0) })),
  notPlainData('a bigint inside nested JSON', () => [1n]),
  notPlainData('NaN inside nested JSON', () => ({ x: Number.NaN })),
  notPlainData('a string with a lone surrogate (not UTF-8)', () => 'a\ud800b'),
  // After valid text the column is already a string column: the check is the encoder's.
  loneSurrogateAfterText('in a dictionary-encoded column', 'parquet', (i) => ['Navy', 'Army'][i % 2]!),
  loneSurrogateAfterText('in a plain-encoded column (all values distinct)', 'parquet', (i) => `team ${i}`),
  // Long text is encoded another way (Buffer's encoder, which would write U+FFFD for it).
  loneSurrogateAfterText('in long text', 'parquet', (i) => `team ${i}: ${'a long description '.repeat(3)}`, `Texas A\udc00M: ${'a long description '.repeat(3)}`),
  loneSurrogateAfterText('in a CSV file', 'csv', (i) => `team ${i}`),
  {
    name: 'record: a class instance',
    code: 'INVALID_ARGUMENT',
    act: (s) => s.write('games', [new (class Game {
      id = 1
    })() as unknown as Row], P),
  },
  {
    name: 'record: an own "__proto__" column (from JSON.parse), which no plain object can give back',
    code: 'INVALID_ARGUMENT',
    act: (s) => s.write('games', [JSON.parse('{"id": 1, "__proto__": 5}')], P),
  },
  {
    name: 'record: a column name with a lone surrogate (not UTF-8)',
    code: 'INVALID_ARGUMENT',
    act: (s) => s.write('games', [{ id: 1, 'bad\udc00': 1 }], P),
  },

  // Mixed types in one column.
  mixedTypes('number + string', 1, 'one'),
  mixedTypes('boolean + number', true, 0),
  mixedTypes('bigint + number', 1n, 2),
  mixedTypes('bigint + float', 1n, 2.5),
  mixedTypes('Date + string', new Date(0), '1970-01-01'),
  mixedTypes('Date + number', new Date(0), 0),
  mixedTypes('bytes + string', new Uint8Array([1]), 'x'),
  mixedTypes('nested JSON + string', { a: 1 }, 'x'),

  // Values that are representable, so round-trip.
  floatsRoundTrip('parquet'),
  {
    name: 'columns that differ between records round-trip, missing ones as null',
    roundTrip: async (s) => {
      await s.write('games', [{ id: 1, a: 1 }, { id: 2, b: 'x' }, { id: 3, c: true }, { id: 4 }], P)
      expect(byId(await s.readIndex('games'))).toEqual([
        { id: 1, a: 1, b: null, c: null, ...P },
        { id: 2, a: null, b: 'x', c: null, ...P },
        { id: 3, a: null, b: null, c: true, ...P },
        { id: 4, a: null, b: null, c: null, ...P },
      ])
    },
  },
  {
    name: 'a 5 MB string round-trips',
    roundTrip: async (s) => {
      const value = `${'é'.repeat(2_500_000)}\u0000,"\n😀`
      await s.write('big', [{ id: 1, v: value }], P)
      const rows = await s.readIndex('big')
      const back = rows[0]?.v
      // Compared as one boolean, so a failure does not print 5 MB.
      expect(typeof back === 'string' ? back.length : back).toBe(value.length)
      expect(back === value).toBe(true)
    },
  },
  {
    name: '20,000 columns in one record (over the engine limit)',
    code: 'INVALID_ARGUMENT',
    act: (s) => s.write('wide', [Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`c${i}`, i]))], P),
    mentions: /columns/,
  },
  {
    name: '20,000 columns spread over records (the limit is over all records)',
    code: 'INVALID_ARGUMENT',
    act: (s) =>
      s.write(
        'wide',
        Array.from({ length: 4 }, (_, r) =>
          Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`c${r}_${i}`, i])),
        ),
        P,
      ),
    mentions: /columns/,
  },

]


export const hostileInput: ConformanceGroup = (ctx) => {
  describe('hostile and broken input', () => {
    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      await runCase(await ctx.create(), c)
    })
  })
}
