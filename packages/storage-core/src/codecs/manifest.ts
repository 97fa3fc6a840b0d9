import type { ColumnType, TableSchema } from './schema.js'

/**
 * The Python pipeline's `manifest.json` is `{ rows, write_time, schema: { column: pandas dtype } }`.
 * Its dtypes type the legacy CSV fallback the way the Parquet beside it is typed (int64 → bigint).
 */
const DTYPES: [RegExp, ColumnType][] = [
  [/^(u?int64|Int64|UInt64)$/, 'bigint'],
  [/^(u?int(8|16|32)|U?Int(8|16|32)|int)$/, 'int'],
  [/^(float(16|32|64)?|Float(32|64)|double)$/, 'float'],
  [/^(bool|boolean)$/, 'boolean'],
  [/^(object|string|str)$/, 'string'],
  [/^datetime64/, 'timestamp'],
]

export function schemaFromManifest(manifest: unknown): TableSchema | undefined {
  const schema = (manifest as { schema?: unknown } | null)?.schema
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined
  const columns: TableSchema['columns'] = []
  for (const [name, dtype] of Object.entries(schema)) {
    const type = DTYPES.find(([pattern]) => typeof dtype === 'string' && pattern.test(dtype))?.[1]
    if (type) columns.push({ name, type })
  }
  return { columns }
}
