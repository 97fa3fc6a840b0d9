import { readdir, readFile } from 'node:fs/promises'
import type { Row, StorageBackend } from '../facade/storage-backend.js'
import type { PartitionInput } from '../partition/partition.js'

/**
 * Files other tools wrote (DuckDB, the old Python pipeline), shipped in the package's `fixtures/`.
 * Resolved from this module so it works from `src/` under jest and from `dist/` once published.
 */
export const FIXTURES_DIR = new URL('../../fixtures/', import.meta.url)

/** A dataset fixture: what `readIndex(entity)` and `listPartitions(entity)` must return. */
export interface ExpectedDataset {
  entity: string
  partitions: PartitionInput[]
  rows: Row[]
}

/** `fixtures/expected.json`, revived: see fixtures/README.md. */
export interface ExpectedFixtures {
  /** Rows of one file, keyed by its path under `fixtures/`. */
  files: Record<string, Row[]>
  /** Keyed by the dataset's folder under `fixtures/`, e.g. `legacy/games`. */
  datasets: Record<string, ExpectedDataset>
}

// JSON has no bigint or Date: expected.json tags them, and this turns the tags back.
function revive(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    if ('$bigint' in value) return BigInt((value as { $bigint: string }).$bigint)
    if ('$date' in value) return new Date((value as { $date: string }).$date)
  }
  return value
}

let expected: Promise<ExpectedFixtures> | undefined

export function loadExpected(): Promise<ExpectedFixtures> {
  expected ??= readFile(new URL('expected.json', FIXTURES_DIR), 'utf8').then(
    (text) => JSON.parse(text, revive) as ExpectedFixtures,
  )
  return expected
}

export function fixtureBytes(path: string): Promise<Uint8Array> {
  return readFile(new URL(path, FIXTURES_DIR)).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
}

async function walk(dir: URL, prefix: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = `${prefix}${entry.name}`
    if (entry.isDirectory()) out.push(...(await walk(new URL(`${entry.name}/`, dir), `${relative}/`)))
    else if (entry.isFile()) out.push(relative)
  }
  return out
}

/**
 * Copies every file under `fixtures/<from>/` (whatever packing kept) into `storage` under `to`,
 * byte for byte with `writeBytes`. Returns the keys written.
 */
export async function copyFixtureTree(storage: StorageBackend, from: string, to = ''): Promise<string[]> {
  const base = from.endsWith('/') ? from : `${from}/`
  const files = await walk(new URL(base, FIXTURES_DIR), '')
  await Promise.all(files.map(async (file) => storage.writeBytes(`${to}${file}`, await fixtureBytes(`${base}${file}`))))
  return files.map((file) => `${to}${file}`).sort()
}

/** Rows ordered by a numeric (number or bigint) column, since reads promise no order. */
export function sortedBy(rows: readonly Row[], column: string): Row[] {
  return [...rows].sort((a, b) => Number(a[column]) - Number(b[column]))
}
