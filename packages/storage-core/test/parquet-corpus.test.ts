/**
 * The apache/parquet-testing corpus (vendored in fixtures/parquet-testing): every `data/` file read
 * by our reader and by pyarrow, compared value by value; every `bad_data/` file read in a child
 * process, which must end with a typed error or rows, never a crash or an escaped rejection.
 * Our reader runs from the built package (tests run after the build). pyarrow is required: the
 * test fails without it.
 */
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual, promisify } from 'node:util'
import { beforeAll, describe, expect, it } from '@jest/globals'

const run = promisify(execFile)
const here = fileURLToPath(new URL('.', import.meta.url))
const corpus = fileURLToPath(new URL('../fixtures/parquet-testing/', import.meta.url))

type Verdict = 'identical' | 'differs' | 'refused'

/**
 * Every file that does not read as pyarrow reads it, and why. A new difference fails the test, and
 * so does an entry that no longer differs (the list must stay true). README.md lists the same.
 */
const EXPECTED: Record<string, { verdict: Exclude<Verdict, 'identical'>; reason: string }> = {
  'data/incorrect_map_schema.parquet': {
    verdict: 'differs',
    reason: 'a MAP whose keys are not annotated required: we read its one row, pyarrow refuses the schema',
  },
  'data/int96_from_spark.parquet': {
    verdict: 'differs',
    reason:
      'row 5 (the year 290000) overflowed in Spark as it wrote the INT96: we decode the stored day and nanoseconds ' +
      'exactly (-004128-06-12T14:32:44.157Z), pyarrow overflows int64 again; rows 0-4 are identical',
  },
  'data/large_string_map.brotli.parquet': {
    verdict: 'refused',
    reason: 'a 1 GiB page of strings longer than V8 allows: NOT_SUPPORTED (pyarrow refuses it too, as a chunked nested array)',
  },
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.parquet(\.encrypted)?$/.test(e.name))
    .map((e) => relative(corpus, join(e.parentPath, e.name)))
    .sort()
}

const dataFiles = listFiles(join(corpus, 'data'))
const badFiles = listFiles(join(corpus, 'bad_data'))
for (const file of dataFiles) {
  if (file.endsWith('.encrypted')) {
    EXPECTED[file] = { verdict: 'refused', reason: 'encrypted: NOT_SUPPORTED (pyarrow also refuses without the keys)' }
  }
}

interface Read {
  file: string
  rows?: unknown[]
  error?: string
  code?: string
}

async function readAll(command: string, script: string): Promise<Map<string, Read>> {
  const { stdout } = await run(command, [join(here, 'parquet-corpus', script), ...dataFiles.map((f) => join(corpus, f))], {
    maxBuffer: 1 << 30,
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  const reads = stdout.trim().split('\n').map((line) => JSON.parse(line) as Read)
  return new Map(reads.map((r) => [relative(corpus, r.file), r]))
}

/** Where two canonical row lists first differ, in words. */
function firstDifference(ours: unknown, theirs: unknown, path = 'rows'): string {
  if (ours && theirs && typeof ours === 'object' && typeof theirs === 'object') {
    for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
      const a = (ours as Record<string, unknown>)[key]
      const b = (theirs as Record<string, unknown>)[key]
      if (!isDeepStrictEqual(a, b)) return firstDifference(a, b, `${path}.${key}`)
    }
  }
  return `${path}: ours ${JSON.stringify(ours)?.slice(0, 80)}, pyarrow ${JSON.stringify(theirs)?.slice(0, 80)}`
}

describe('apache/parquet-testing corpus', () => {
  const table: { file: string; verdict: Verdict; reason: string }[] = []

  beforeAll(async () => {
    const [ours, theirs] = await Promise.all([readAll(process.execPath, 'our-rows.mjs'), readAll('python3', 'pyarrow_rows.py')])
    for (const file of dataFiles) {
      const us = ours.get(file)
      const them = theirs.get(file)
      if (!us || !them) throw new Error(`${file} was not read by ${us ? 'pyarrow' : 'our reader'}`)
      if (us.error !== undefined) {
        table.push({ file, verdict: 'refused', reason: `${us.code}: ${us.error}; pyarrow ${them.error ?? `reads ${them.rows!.length} rows`}` })
      } else if (them.error !== undefined) {
        table.push({ file, verdict: 'differs', reason: `we read ${us.rows!.length} rows; pyarrow: ${them.error}` })
      } else if (isDeepStrictEqual(us.rows, them.rows)) {
        table.push({ file, verdict: 'identical', reason: `${us.rows!.length} rows` })
      } else {
        table.push({ file, verdict: 'differs', reason: firstDifference(us.rows, them.rows) })
      }
    }
    const counts = (v: Verdict) => table.filter((t) => t.verdict === v).length
    console.log(
      [
        `parquet-testing data/: ${counts('identical')} identical, ${counts('differs')} differ, ${counts('refused')} refused`,
        ...table.map((t) => `${t.file.padEnd(72)} ${t.verdict.padEnd(9)} ${t.reason.slice(0, 160)}`),
      ].join('\n'),
    )
  }, 600_000)

  it('reads every data/ file as pyarrow does, but for the listed differences', () => {
    expect(dataFiles.length).toBeGreaterThan(80)
    const unexpected = table
      .filter((t) => (EXPECTED[t.file]?.verdict ?? 'identical') !== t.verdict)
      .map((t) => `${t.file}: ${t.verdict} (${t.reason}), expected ${EXPECTED[t.file]?.verdict ?? 'identical'}`)
    expect(unexpected).toEqual([])
  })

  it('refuses with a typed error, never a message from inside the decoder', () => {
    for (const t of table.filter((row) => row.verdict === 'refused')) {
      expect(t.reason).toMatch(/^(CORRUPT_DATA|NOT_SUPPORTED): /)
      expect(t.reason).not.toMatch(/Cannot read properties|is not a function|undefined/)
    }
  })

  it.each(badFiles)('reads bad %s in a child process: rows or a typed error, no crash, nothing escaping', async (file) => {
    let stdout: string
    let status: number
    try {
      ;({ stdout } = await run(process.execPath, [join(here, 'parquet-corpus', 'read-one.mjs'), join(corpus, file)], {
        env: { ...process.env, NODE_OPTIONS: '' },
      }))
      status = 0
    } catch (error) {
      const failure = error as { code?: number; signal?: string; stdout: string; stderr: string }
      expect({ signal: failure.signal, stderr: failure.stderr }).toEqual({ signal: null, stderr: '' })
      stdout = failure.stdout
      status = failure.code ?? -1
    }
    const out = JSON.parse(stdout) as { rows?: number; code?: string; message?: string; unhandled?: string[] }
    console.log(`${file}: ${out.rows !== undefined ? `${out.rows} rows` : `${out.code}: ${out.message}`}`)
    expect(out.unhandled).toBeUndefined()
    expect([0, 1]).toContain(status)
    if (status === 1) {
      expect(out.code).toMatch(/^(CORRUPT_DATA|NOT_SUPPORTED)$/)
      expect(out.message).not.toMatch(/Cannot read properties|is not a function|undefined/)
    }
  }, 120_000)
})
