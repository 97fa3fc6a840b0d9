// A writer process SIGKILLed at seeded moments of its writes to a Delta table (see test-servers'
// crash-trials.ts), at every step of a commit: data file put, version file put, checkpoint put,
// deletion of the superseded files. After every kill the partition reads as exactly one committed
// state and the log's latest version is that state's (N, or N+1 when the version file landed), temp
// files are never data, and vacuum removes the files no version holds and the removed ones left
// behind, keeping the log and every committed row. Needs `pnpm build` (the writer imports the built
// package).
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { LocalStorage } from '../src/index.js'
import {
  type CrashSummary,
  killAllWriters,
  PHASE_OF,
  runCrashCampaign,
  vacuumAfterCrashes,
  WRITER_EVENTS,
} from '@cfb/test-servers'

const TRIALS = 60
const SEED = 0x10ca1
const ENTITY = 'plays'
const PARTITION = { season: 2024, week: 7 }

/** Hidden files (temp files of killed writers) anywhere under `folder`, as paths below it. */
async function hiddenFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1))
    .sort()
}

describe('local: a writer killed with SIGKILL mid-write', () => {
  let root: string
  let reader: LocalStorage
  let summary: CrashSummary
  /** Temp files seen after a kill that the reader must have ignored. */
  const tempFilesSeen = new Set<string>()
  let trialsLeavingTempFiles = 0

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cfb-crash-local-'))
    reader = new LocalStorage({ root })
  })

  afterAll(async () => {
    killAllWriters()
    await rm(root, { recursive: true, force: true })
  })

  it(`reads one committed state after each of ${TRIALS} kills`, async () => {
    summary = await runCrashCampaign({
      backend: { module: new URL('../dist/index.js', import.meta.url).href, className: 'LocalStorage', options: { root } },
      entity: ENTITY,
      partition: PARTITION,
      reader,
      trials: TRIALS,
      seed: SEED,
      events: WRITER_EVENTS,
      afterTrial: async () => {
        const problems: string[] = []
        const hidden = await hiddenFiles(root)
        const fresh = hidden.filter((name) => !tempFilesSeen.has(name))
        if (fresh.length > 0) trialsLeavingTempFiles++
        for (const name of fresh) tempFilesSeen.add(name)
        // The path API must not list them either (they are not objects).
        const listed = await reader.listFiles()
        const leaked = listed.filter((key) => key.split('/').some((segment) => segment.startsWith('.')))
        if (leaked.length > 0) problems.push(`temp files listed as objects: ${leaked.join(', ')}`)
        return problems
      },
    })
    console.log(
      `local crash trials: ${summary.trials} trials, ${summary.kills} SIGKILLs; in-flight write visible after ` +
        `${summary.inFlightLanded}, not after ${summary.inFlightLost}; ${trialsLeavingTempFiles} trials left temp ` +
        `files (${tempFilesSeen.size} in all); kills by phase: ${JSON.stringify(summary.phases, null, 1)}`,
    )
    expect(summary.failures).toEqual([])
    expect(summary.kills).toBe(TRIALS)
    // Every step of a write got at least one kill.
    expect(WRITER_EVENTS.map((event) => PHASE_OF[event]).filter((phase) => !summary.phases[phase])).toEqual([])
    // Temp files of killed writers were on disk while the reader read (stalls at put-*-temp).
    expect(tempFilesSeen.size).toBeGreaterThan(0)
  }, 600_000)

  it('vacuum removes the files no version added and the removed files left behind, keeping the log and every committed row', async () => {
    expect(summary).toBeDefined()
    // Vacuum also reports the killed writers' temp files it removed (hidden `.x.tmp` names).
    const isTemp = (key: string) => key.slice(key.lastIndexOf('/') + 1).startsWith('.')
    const { outcome, expected } = await vacuumAfterCrashes(reader, ENTITY, PARTITION, summary.finalOps, (key) => !isTemp(key))
    expect(outcome).toEqual(expected)
  })

  // Killed writers leave `.part-<id>-.<16 hex>.tmp` and `_delta_log/.<version>.json.<16 hex>.tmp` files that
  // listings never show (readers ignore them, checked after every kill); vacuum removes them.
  it('vacuum also removes the temp files killed writers left behind', async () => {
    expect(tempFilesSeen.size).toBeGreaterThan(0)
    expect(await hiddenFiles(root)).toEqual([])
  })
})
