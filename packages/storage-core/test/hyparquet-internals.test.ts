/**
 * parquet-pages.ts decodes a page at a time with hyparquet's own modules (`hyparquet/src/*.js`),
 * which are not its documented API. hyparquet is pinned exactly for that; this fails when an
 * upgrade moves or changes them, before a dataset read does.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { parquetMetadata } from 'hyparquet'
import * as column from 'hyparquet/src/column.js'
import * as convert from 'hyparquet/src/convert.js'
import * as datapage from 'hyparquet/src/datapage.js'
import * as plan from 'hyparquet/src/plan.js'
import * as schema from 'hyparquet/src/schema.js'
import { readParquetColumns, readParquetRows } from '../src/codecs/parquet-pages.js'
import { decodeParquet } from '../src/codecs/parquet.js'

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const installed = JSON.parse(
  readFileSync(join(dirname(createRequire(import.meta.url).resolve('hyparquet')), '..', 'package.json'), 'utf8'),
)

describe('hyparquet internals used by the page reader', () => {
  it('are pinned to exactly the installed version', () => {
    expect(manifest.dependencies.hyparquet).toMatch(/^\d+\.\d+\.\d+$/)
    expect(installed.version).toBe(manifest.dependencies.hyparquet)
  })

  it('are still where and what the page reader expects', () => {
    expect(typeof column.parquetHeader).toBe('function')
    expect(column.readPage).toHaveLength(6)
    expect(typeof convert.convert).toBe('function')
    expect(convert.convertWithDictionary).toHaveLength(4)
    expect(datapage.readDataPage).toHaveLength(3)
    expect(datapage.readDataPageV2).toHaveLength(3)
    expect(datapage.decompressPage).toHaveLength(4)
    expect(Object.keys(convert.DEFAULT_PARSERS)).toEqual(
      expect.arrayContaining(['timestampFromMilliseconds', 'timestampFromMicroseconds', 'timestampFromNanoseconds', 'stringFromBytes']),
    )
    expect(typeof plan.parquetPlanGroups).toBe('function')
    expect(typeof plan.parquetPlanGroup).toBe('function')
    expect(typeof schema.getTreePath).toBe('function')
    expect(typeof schema.isFlatColumn).toBe('function')
    expect(typeof schema.getMaxDefinitionLevel).toBe('function')
  })

  it.each(['alltypes_tiny_pages.parquet', 'datapage_v2.snappy.parquet', 'delta_byte_array.parquet', 'nulls.snappy.parquet'])(
    'decode %s a page at a time (by row and by column) as hyparquet decodes it whole',
    async (name) => {
      const bytes = readFileSync(fileURLToPath(new URL(`../fixtures/parquet-testing/data/${name}`, import.meta.url)))
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
      const file = { byteLength: buffer.byteLength, slice: async (s: number, e?: number) => buffer.slice(s, e) }
      const rows: Record<string, unknown>[] = []
      for await (const slice of readParquetRows(file, { metadata: parquetMetadata(buffer), sliceRows: 1000 })) rows.push(...slice)
      expect(rows).toEqual(await decodeParquet(buffer))
      const byColumn: Record<string, unknown>[] = []
      for await (const { names, values, length } of readParquetColumns(file, { metadata: parquetMetadata(buffer), sliceRows: 1000 })) {
        for (let i = 0; i < length; i++) byColumn.push(Object.fromEntries(names.map((name, j) => [name, values[j]![i]])))
      }
      expect(byColumn).toEqual(rows)
    },
  )
})
