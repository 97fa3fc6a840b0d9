// Rows of Parquet files as our reader (the built package) gives them, in the canonical encoding
// of pyarrow_rows.py. Usage: node our-rows.mjs FILE... -> one JSON line per file: {"file", "rows"}
// or {"file", "error", "code"}. Decimals are read exactly ({ decimals: 'string' }).
import { readFile } from 'node:fs/promises'

const { decodeParquet } = await import(new URL('../../dist/index.js', import.meta.url).href)

function hex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

function number(v) {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return 'Infinity'
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (Object.is(v, -0)) return '-0'
  if (Number.isInteger(v)) return { i: BigInt(v).toString() }
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, v)
  return { f: hex(new Uint8Array(view.buffer)) }
}

export function canon(v) {
  if (v === null) return null
  if (v === undefined) return { undefined: true }
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return number(v)
  if (typeof v === 'bigint') return { i: v.toString() }
  if (typeof v === 'string') return { s: v }
  if (v instanceof Uint8Array) return { b: hex(v) }
  if (v instanceof Date) return { t: Number.isNaN(v.getTime()) ? 'invalid' : v.getTime() }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v, canon)
  if (typeof v === 'object') {
    const o = {}
    for (const key of Object.keys(v)) Object.defineProperty(o, key, { value: canon(v[key]), enumerable: true })
    return { o }
  }
  return { unknown: String(v) }
}

for (const file of process.argv.slice(2)) {
  let out
  try {
    const bytes = await readFile(file)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const rows = await decodeParquet(buffer, { decimals: 'string' })
    out = { file, rows: rows.map((row) => canon(row).o) }
  } catch (error) {
    out = { file, error: String(error?.message ?? error), code: error?.code }
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}
