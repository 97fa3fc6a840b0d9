// What a run measures: sizes, repetitions and sections, from the environment.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { partitions } from './plays.js'

export const here = dirname(fileURLToPath(import.meta.url))
export const repo = join(here, '..', '..', '..')
export const ROWS = Number(process.env.CFB_BENCH_ROWS ?? 1_000_000)
export const RUNS = Number(process.env.CFB_BENCH_RUNS ?? 5)
export const SECTIONS = ['write', 'read', 'cli', 'memory', 's3', 'migrate', 'table'] as const
export type Section = (typeof SECTIONS)[number]
/** `CFB_BENCH_ONLY=read,migrate` runs only those sections (read and cli run on the written dataset). */
const ONLY = process.env.CFB_BENCH_ONLY?.split(',').map((s) => s.trim())
for (const section of ONLY ?? []) {
  if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`CFB_BENCH_ONLY: ${JSON.stringify(section)} is none of ${SECTIONS.join(', ')}`)
}
export const wanted = (section: Section): boolean => ONLY === undefined || ONLY.includes(section)
/** The plays dataset is written when a section reads it. */
export const needsDataset = (): boolean => wanted('write') || wanted('read') || wanted('cli')
export const perPartition = Math.ceil(ROWS / partitions().length)
export const totalRows = perPartition * partitions().length
export const log = (text: string): void => {
  process.stderr.write(`${text}\n`)
}
/** `1M`, `100k`: a row count as the row names print it. */
export const millions = (rows: number): string => (rows >= 1_000_000 ? `${Math.round(rows / 100_000) / 10}M` : `${Math.round(rows / 1000)}k`)
/** `CFB_BENCH_CPU_PROF=dir`: our CLI runs write V8 CPU profiles there (for `node --cpu-prof` analysis). */
export const profileFlags = process.env.CFB_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CFB_BENCH_CPU_PROF}`] : []
