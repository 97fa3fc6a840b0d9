// A writer process, talking to a fauxqs server in this process over 127.0.0.1, SIGKILLed at seeded
// moments of its writes to a Delta table (see test-servers' crash-trials.ts), at every step of a
// commit: data file put, version file put, checkpoint put, deletion of the superseded files. After
// every kill the partition reads as exactly one committed state and the log's latest version is that
// state's (N, or N+1 when the version file landed); vacuum removes the files no version added and
// the removed files left behind, keeping the log and every committed row. One writer at a time, so
// fauxqs (no conditional PUT) is enough. Needs `pnpm build` (the writer imports the built package).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { S3Storage } from '../src/index.js'
import {
  type CrashSummary,
  killAllWriters,
  PHASE_OF,
  runCrashCampaign,
  vacuumAfterCrashes,
  WRITER_EVENTS,
} from '@cfb/test-servers'
import { BUCKET, useS3Server } from './support/s3-server.js'

const TRIALS = 60
const SEED = 0x53c4a5
const PREFIX = 'crash-trials'
const ENTITY = 'plays'
const PARTITION = { season: 2024, week: 7 }
// S3 has no temp files: a put is one request.
const EVENTS = WRITER_EVENTS.filter((e) => !e.endsWith('-temp'))

const s3 = useS3Server('fauxqs')

describe('s3 (fauxqs): a writer killed with SIGKILL mid-write', () => {
  let reader: S3Storage
  let summary: CrashSummary

  beforeAll(() => {
    reader = s3.storage({ prefix: PREFIX })
  })

  afterAll(() => {
    killAllWriters()
    reader.close()
  })

  it(`reads one committed state after each of ${TRIALS} kills`, async () => {
    const server = s3.server
    summary = await runCrashCampaign({
      // Its own client and sockets, over 127.0.0.1 to the server this test runs.
      backend: {
        module: new URL('../dist/index.js', import.meta.url).href,
        className: 'S3Storage',
        options: {
          endpoint: server.endpoint,
          bucket: BUCKET,
          prefix: PREFIX,
          region: server.region,
          credentials: server.credentials,
          capabilities: server.quirks,
          // fauxqs has no conditional PUT: this campaign's one writer says so.
          singleWriter: !server.quirks.conditionalPut,
          forcePathStyle: true,
        },
      },
      entity: ENTITY,
      partition: PARTITION,
      reader,
      trials: TRIALS,
      seed: SEED,
      events: EVENTS,
      // The server runs in this process: a request it fully received before the kill is stored by
      // the time a few event-loop turns have passed.
      settleMs: 30,
    })
    console.log(
      `s3 crash trials: ${summary.trials} trials, ${summary.kills} SIGKILLs; in-flight write visible after ` +
        `${summary.inFlightLanded}, not after ${summary.inFlightLost}; kills by phase: ` +
        JSON.stringify(summary.phases, null, 1),
    )
    expect(summary.failures).toEqual([])
    expect(summary.kills).toBe(TRIALS)
    // Every step of a write got at least one kill.
    expect(EVENTS.map((event) => PHASE_OF[event]).filter((phase) => !summary.phases[phase])).toEqual([])
  }, 600_000)

  it('vacuum removes the files no version added and the removed files left behind, keeping the log and every committed row', async () => {
    expect(summary).toBeDefined()
    const { outcome, expected } = await vacuumAfterCrashes(reader, ENTITY, PARTITION, summary.finalOps)
    expect(outcome).toEqual(expected)
  })
})
