// Many writers on one Delta table: concurrent appends lose nothing and duplicate nothing, each one
// version, numbered with no gap (in one process, and from separate processes running the built
// package); readers racing with writers always see exactly one committed version. The local store
// creates a version file only if absent (a hard link of a complete temp file), so writers in
// separate processes are safe.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  APPENDS_PER_WRITER,
  appendFromProcesses,
  appendWhileReading,
  cleanAppends,
  cleanRace,
  killAllWriters,
  overwriteFromProcesses,
  raceOutcome,
  raceOverwritesWithReads,
  WRITERS,
} from '@cfb/test-servers'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { LocalStorage } from '../src/index.js'

/** Writer processes open the built package on `root`. */
const writerBackend = (root: string) => ({
  module: new URL('../dist/index.js', import.meta.url).href,
  className: 'LocalStorage',
  options: { root },
})
const ENTITY = 'plays'
const PARTITION = { season: 2024, week: 3 }
const RACE_WRITERS = 4
const RACE_READERS = 4
const OVERWRITES = 40

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cfb-concurrency-local-'))
})
afterAll(async () => {
  killAllWriters()
  await rm(root, { recursive: true, force: true })
})

describe(`local: ${WRITERS} writers x ${APPENDS_PER_WRITER} appends to one table`, () => {
  it(`in one process, each writer with its own backend, on a created table: ${WRITERS * APPENDS_PER_WRITER} batches readable, versions 0..${WRITERS * APPENDS_PER_WRITER}, creation + ${WRITERS * APPENDS_PER_WRITER} appends in history`, async () => {
    const folder = join(root, 'appends-in-process')
    const { outcome, reads } = await appendWhileReading({
      writers: Array.from({ length: WRITERS }, () => new LocalStorage({ root: folder })),
      readers: Array.from({ length: 2 }, () => new LocalStorage({ root: folder })),
      entity: ENTITY,
      partition: PARTITION,
      // Writers racing to create a table is an engine bug (see table-creation.test.ts).
      createFirst: true,
    })
    console.log(`local in-process appends: ${JSON.stringify(outcome.readBack)}; concurrent reads ${JSON.stringify(reads)}`)
    expect(outcome).toEqual(cleanAppends(true))
  }, 240_000)

  it(`from ${WRITERS} separate processes started together on a created table: ${WRITERS * APPENDS_PER_WRITER} batches, versions 0..${WRITERS * APPENDS_PER_WRITER}, creation + ${WRITERS * APPENDS_PER_WRITER} appends in history`, async () => {
    const folder = join(root, 'appends-processes')
    const { writerFailures, appendsDone, outcome, reads } = await appendFromProcesses({
      backend: writerBackend(folder),
      open: () => new LocalStorage({ root: folder }),
      readers: Array.from({ length: 2 }, () => new LocalStorage({ root: folder })),
      entity: ENTITY,
      partition: PARTITION,
    })
    console.log(
      `local multi-process appends: ${appendsDone} appends returned; ${JSON.stringify(outcome.readBack)}; concurrent reads ${JSON.stringify(reads)}`,
    )
    expect({ writerFailures, appendsDone, ...outcome }).toEqual({
      writerFailures: [],
      appendsDone: WRITERS * APPENDS_PER_WRITER,
      ...cleanAppends(true),
    })
  }, 240_000)
})

/**
 * Overwrites racing readers. By default an overwrite deletes the files it replaces right after its
 * commit: a read that loses a file reads the newer version once, and if it loses again fails with
 * CONFLICT naming keepRemovedFilesMs. With keepRemovedFilesMs every read succeeds.
 */
describe.each([
  ['the default table (replaced files deleted at commit)', undefined],
  ['a table created with keepRemovedFilesMs', 60_000],
] as const)(`local: ${RACE_WRITERS} writers x ${OVERWRITES} overwrites racing with ${RACE_READERS} readers, on %s`, (_, keepRemovedFilesMs) => {
  const conflictsAllowed = keepRemovedFilesMs === undefined
  const rule = conflictsAllowed ? 'or CONFLICT naming keepRemovedFilesMs' : 'and every read succeeds'
  const table = conflictsAllowed ? 'default' : 'keep'

  it(`in one process: every read is exactly one written set, never a mix, ${rule}`, async () => {
    const folder = join(root, `race-in-process-${table}`)
    const backend = () => new LocalStorage({ root: folder })
    const report = await raceOverwritesWithReads({
      writers: Array.from({ length: RACE_WRITERS }, backend),
      readers: Array.from({ length: RACE_READERS }, backend),
      entity: ENTITY,
      partition: PARTITION,
      overwritesPerWriter: OVERWRITES,
      keepRemovedFilesMs,
    })
    console.log(`local overwrite race (in process, ${table}): ${JSON.stringify(report)}`)
    expect(raceOutcome(report, { conflictsAllowed })).toEqual(cleanRace(RACE_WRITERS, OVERWRITES))
  }, 240_000)

  it(`with writers in separate processes: every read is exactly one written set, never a mix, ${rule}`, async () => {
    const folder = join(root, `race-processes-${table}`)
    const { writerFailures, report } = await overwriteFromProcesses({
      backend: writerBackend(folder),
      open: () => new LocalStorage({ root: folder }),
      readers: Array.from({ length: RACE_READERS }, () => new LocalStorage({ root: folder })),
      entity: ENTITY,
      partition: PARTITION,
      writers: RACE_WRITERS,
      overwrites: OVERWRITES,
      keepRemovedFilesMs,
    })
    console.log(`local overwrite race (writer processes, ${table}): ${JSON.stringify(report)}`)
    expect({ writerFailures, ...raceOutcome(report, { conflictsAllowed }) }).toEqual({
      writerFailures: [],
      ...cleanRace(RACE_WRITERS, OVERWRITES),
    })
  }, 240_000)
})
