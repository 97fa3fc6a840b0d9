// Self-check for make-fixtures.mjs: expected.json must equal what hyparquet decodes from each
// Parquet file (with the codecs core registers) and what DuckDB reads from each CSV and dataset.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'

const repo = fileURLToPath(new URL('..', import.meta.url))
const fromCore = createRequire(join(repo, 'packages/storage-core/package.json'))
const load = (name) => import(pathToFileURL(fromCore.resolve(name)).href)

export function revive(_key, value) {
  if (value && typeof value === 'object' && '$bigint' in value) return BigInt(value.$bigint)
  if (value && typeof value === 'object' && '$date' in value) return new Date(value.$date)
  return value
}

/** DuckDB and JS agree up to integer width: compare bigint and number by value. */
function loose(row) {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v]),
  )
}

const byFirstKey = (a, b) => Number(Object.values(a)[0]) - Number(Object.values(b)[0])

function same(label, actual, expected) {
  if (!isDeepStrictEqual(actual, expected)) {
    console.error('actual', actual, '\nexpected', expected)
    throw new Error(`fixture check failed: ${label}`)
  }
}

export async function checkFixtures(out, conn) {
  const { parquetReadObjects } = await load('hyparquet')
  const { compressors } = await load('hyparquet-compressors')
  const expected = JSON.parse(await readFile(join(out, 'expected.json'), 'utf8'), revive)
  for (const [file, rows] of Object.entries(expected.files)) {
    const path = join(out, file)
    if (file.endsWith('.parquet')) {
      const bytes = await readFile(path)
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      same(file, await parquetReadObjects({ file: buffer, compressors }), rows)
    } else {
      const result = await conn.runAndReadAll(`SELECT * FROM read_csv('${path}', hive_partitioning = false)`)
      same(file, result.getRowObjectsJS().map(loose), rows.map(loose))
    }
  }
  const hive = join(out, 'duckdb-hive/plays')
  const result = await conn.runAndReadAll(
    `SELECT * FROM read_parquet('${hive}/**/*.parquet', hive_partitioning = true) ORDER BY play_id`,
  )
  same('duckdb-hive dataset', result.getRowObjectsJS().map(loose), expected.datasets['duckdb-hive/plays'].rows.map(loose).sort(byFirstKey))
}
