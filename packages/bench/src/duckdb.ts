import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'

export async function duckdb(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:')
  return instance.connect()
}

export function hiveGlob(root: string, entity: string): string {
  return `read_parquet('${root}/${entity}/**/*.parquet', hive_partitioning = true)`
}
