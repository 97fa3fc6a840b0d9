// Many writers on one partition of a bucket (fauxqs on 127.0.0.1): concurrent appends, each writer
// with its own client, lose nothing and duplicate nothing, and readers racing with overwrites always
// see exactly one committed state. (The separate-process variant runs on local, where the listing is
// not a snapshot; here it adds only run time, as every append re-reads every commit.)

import { APPENDS_PER_WRITER, appendWhileReading, CLEAN_APPENDS, cleanRace, raceOutcome, raceOverwritesWithReads, WRITERS } from '@cfb/test-servers'
import { afterAll, describe, expect, it } from '@jest/globals'
import type { S3Storage } from '../src/index.js'
import { useS3Server } from './support/s3-server.js'

const ENTITY = 'plays'
const PARTITION = { season: 2024, week: 3 }
const RACE_WRITERS = 4
const RACE_READERS = 4
const OVERWRITES = 40

const s3 = useS3Server('fauxqs')
const opened: S3Storage[] = []
/** A backend on `prefix` with a client (and sockets) of its own. */
function backend(prefix: string): S3Storage {
  const storage = s3.storage({ prefix, endpoint: s3.server.endpoint })
  opened.push(storage)
  return storage
}
afterAll(() => {
  for (const storage of opened) storage.close()
})

describe(`s3: ${WRITERS} writers x ${APPENDS_PER_WRITER} appends to one partition`, () => {
  it('in one process, each writer with its own backend and client, with readers reading meanwhile', async () => {
    const prefix = 'appends-in-process'
    const { outcome, reads } = await appendWhileReading({
      writers: Array.from({ length: WRITERS }, () => backend(prefix)),
      readers: [backend(prefix)],
      entity: ENTITY,
      partition: PARTITION,
    })
    console.log(`s3 in-process appends: ${JSON.stringify(outcome.readBack)}; concurrent reads ${JSON.stringify(reads)}`)
    expect(outcome).toEqual(CLEAN_APPENDS)
  }, 300_000)
})

// Found here: an overwrite's cleanup running between a read's listing and its reads made the read
// (or a write, which reads the state first) fail with NOT_FOUND (NoSuchKey); the engine now lists again.
describe(`s3: ${RACE_WRITERS} writers x ${OVERWRITES} overwrites racing with ${RACE_READERS} readers`, () => {
  it('every read is exactly one written set, never a mix, nothing, or an error', async () => {
    const prefix = 'race'
    const report = await raceOverwritesWithReads({
      writers: Array.from({ length: RACE_WRITERS }, () => backend(prefix)),
      readers: Array.from({ length: RACE_READERS }, () => backend(prefix)),
      entity: ENTITY,
      partition: PARTITION,
      overwritesPerWriter: OVERWRITES,
    })
    console.log(`s3 overwrite race: ${JSON.stringify(report)}`)
    expect(raceOutcome(report)).toEqual(cleanRace(RACE_WRITERS, OVERWRITES))
  }, 120_000)
})
