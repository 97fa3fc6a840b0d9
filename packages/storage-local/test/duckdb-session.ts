import { DuckDBInstance } from '@duckdb/node-api'
import type { DuckDBConnection } from '@duckdb/node-api'

/** A DuckDB query's result as plain JS: values as `getRowObjectsJS` converts them. */
export interface QueryResult {
  /** Column name to DuckDB type name (`INTEGER`, `BIGINT`, `TIMESTAMP`, ...). */
  types: Record<string, string>
  rows: Record<string, unknown>[]
}

/** One in-memory DuckDB, single-threaded so results and written files are stable. */
export class DuckDBSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckDBSession> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
    return new DuckDBSession(instance, await instance.connect())
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql)
  }

  async query(sql: string): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql)
    const names = reader.columnNames()
    const types = reader.columnTypes().map(String)
    return {
      types: Object.fromEntries(names.map((name, i) => [name, types[i]!])),
      // getRowObjectsJS: TIMESTAMP becomes a Date, BIGINT a bigint, INTEGER and DOUBLE a number.
      rows: reader.getRowObjectsJS() as Record<string, unknown>[],
    }
  }

  close(): void {
    this.connection.closeSync()
    this.instance.closeSync()
  }
}

/** A SQL string literal (paths under a temporary folder may hold quotes on some systems). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * `read_parquet` over the Parquet files of a Hive-partitioned folder `depth` partition levels deep
 * (not `**`, which would also take a Delta table's `_delta_log/*.checkpoint.parquet`).
 */
export function readDataset(folder: string, depth: number): string {
  return `read_parquet(${sqlString(`${folder}/${'*/'.repeat(depth)}*.parquet`)}, hive_partitioning = true)`
}
