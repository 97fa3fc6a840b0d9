// The CLI row's peer in a process of its own: DuckDB copies the dataset to CSV, as `duckdb -c` would.
import { DuckDBInstance } from '@duckdb/node-api'

const [root, out] = process.argv.slice(2)
const connection = await (await DuckDBInstance.create(':memory:')).connect()
await connection.run(`COPY (SELECT * FROM read_parquet('${root}/plays/**/*.parquet', hive_partitioning = true)) TO '${out}' (FORMAT CSV, HEADER)`)
