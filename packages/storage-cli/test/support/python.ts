import { spawnSync } from 'node:child_process'

/**
 * Runs a Python script (pyarrow, DuckDB) and returns its stdout; other engines make the foreign
 * files our ingest must take and read back what we wrote.
 */
export function python(script: string, args: readonly string[] = []): string {
  const result = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000 })
  if (result.status !== 0) throw new Error(`python failed (${result.status ?? result.signal}):\n${result.stderr}`)
  return result.stdout
}
