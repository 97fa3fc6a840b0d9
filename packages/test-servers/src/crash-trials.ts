// Crash trials shared by the local and s3 crash tests.
//
// A child process (`writer-process.mjs`, importing the built package) writes one partition of a Delta
// table through a planned sequence of overwrites and appends, printing each step. The parent SIGKILLs
// it at a seeded moment, then reads the partition and checks it against what the writer printed: the
// rows must be exactly those of some complete sequence of committed writes (the last finished write,
// or the one in flight if its version file had landed), never a mix, never nothing when something was
// committed, never an error; and the table's latest version must be the one those rows belong to.
import type { ChildProcess } from 'node:child_process'
import type { Row, StorageBackend } from '@cfb/storage-core'
import { allowedStates, diedInStall, observedState, parseLog, type WriterLog } from './crash-log.js'
import { applyOp, type KillTrigger, NOT_COMMITTED, PHASE_OF, planOp, planTrigger, type WriterEvent } from './crash-plan.js'
import { logVersions, tableFiles } from './delta-log.js'
import { seededRandom } from './seeded-random.js'
import { spawnWriter, type WriterBackend, type WriterRun } from './writer-processes.js'

export interface TrialOptions {
  backend: WriterBackend
  entity: string
  partition: Record<string, string | number>
  firstOp: number
  /** How many ops the writer is given (it idles after the last). */
  opCount: number
  trigger: KillTrigger
  /** Give up on a writer after this long (then it is killed and the trial fails). */
  timeoutMs: number
}

/** Runs one writer and SIGKILLs it when the trigger fires. */
export async function runKilledWriter(options: TrialOptions): Promise<WriterRun> {
  const { trigger } = options
  const ops = Array.from({ length: options.opCount }, (_, i) => planOp(options.firstOp + i))
  const stall = trigger.kind === 'stall' ? { op: trigger.op, event: trigger.event, ms: 10_000 } : undefined
  let fired = false
  const kill = (child: ChildProcess, delayMs: number) => {
    if (fired) return
    fired = true
    if (delayMs <= 0) child.kill('SIGKILL')
    else setTimeout(() => child.kill('SIGKILL'), delayMs)
  }
  const { child, finished } = spawnWriter(
    { backend: options.backend, entity: options.entity, partition: options.partition, ops, stall },
    (line, proc) => {
      if (line === 'idle') return kill(proc, 0) // ran out of ops before the trigger: kill now
      if (trigger.kind === 'time') {
        if (line === 'ready') kill(proc, trigger.delayMs)
        return
      }
      if (line === `${trigger.event} ${trigger.op}`) kill(proc, trigger.kind === 'event' ? trigger.delayMs : 0)
    },
  )
  let timedOut = false
  const watchdog = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs)
  try {
    const run = await finished
    return { ...run, timedOut }
  } finally {
    clearTimeout(watchdog)
  }
}

export interface CrashSummary {
  trials: number
  kills: number
  /** Kills by where they landed (PHASE_OF labels). */
  phases: Record<string, number>
  /** Trials whose in-flight write was visible afterwards, and those where it was not. */
  inFlightLanded: number
  inFlightLost: number
  failures: string[]
  /** The committed state after the last trial. */
  finalOps: number[]
}

export interface CrashCampaign {
  backend: WriterBackend
  entity: string
  partition: Record<string, string | number>
  reader: StorageBackend
  trials: number
  seed: number
  /** The steps this backend's writer reports (local has temp-file steps, s3 has none). */
  events: readonly WriterEvent[]
  /** Wait after the writer died before reading (lets a server finish a request it fully received). */
  settleMs?: number
  /** Called after each trial's read, with the trial number (for backend-specific checks). */
  afterTrial?: (trial: number, log: WriterLog) => Promise<string[]>
}

/** Runs the trials in sequence on one partition and collects every violation. */
export async function runCrashCampaign(campaign: CrashCampaign): Promise<CrashSummary> {
  const random = seededRandom(campaign.seed)
  const summary: CrashSummary = {
    trials: 0,
    kills: 0,
    phases: {},
    inFlightLanded: 0,
    inFlightLost: 0,
    failures: [],
    finalOps: [],
  }
  let state: number[] = []
  let nextOp = 0
  for (let trial = 0; trial < campaign.trials; trial++) {
    const versionBefore = await latestVersion(campaign.reader, campaign.entity)
    const trigger = planTrigger(trial, campaign.trials, nextOp, campaign.events, random, versionBefore + 1)
    const run = await runKilledWriter({
      backend: campaign.backend,
      entity: campaign.entity,
      partition: campaign.partition,
      firstOp: nextOp,
      opCount: 12,
      trigger,
      timeoutMs: 30_000,
    })
    summary.trials++
    const log = parseLog(run.lines)
    const where = `trial ${trial} (${JSON.stringify(trigger)}, killed ${PHASE_OF[log.killedAt]})`
    if (run.signal === 'SIGKILL') summary.kills++
    else summary.failures.push(`${where}: writer exited with ${run.exitCode} ${run.stderr.slice(0, 500)}`)
    if (run.timedOut) summary.failures.push(`${where}: the trigger never fired`)
    for (const error of log.errors) summary.failures.push(`${where}: writer error ${error}`)
    const label = PHASE_OF[log.killedAt]
    summary.phases[label] = (summary.phases[label] ?? 0) + 1
    const before = state
    const allowed = allowedStates(before, log, diedInStall(trigger, log))
    // When the commit may have been in flight, give the server longer to finish a request it got.
    const settle = (campaign.settleMs ?? 0) * (allowed.length > 1 ? 10 : 1)
    if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle))

    let rows: Row[]
    try {
      rows = await campaign.reader.readIndex(campaign.entity, campaign.partition)
    } catch (error) {
      summary.failures.push(`${where}: read error ${String(error)}`)
      state = allowed[allowed.length - 1]!
      nextOp = Math.max(nextOp, ...log.done, log.inFlight?.op ?? -1) + 1
      continue
    }
    const seen = observedState(rows, campaign.partition)
    if ('problem' in seen) {
      summary.failures.push(`${where}: ${seen.problem}`)
      state = allowed[allowed.length - 1]!
    } else if (!allowed.some((s) => JSON.stringify(s) === JSON.stringify(seen.ops))) {
      summary.failures.push(
        `${where}: read ops [${seen.ops}], expected one of ${allowed.map((s) => `[${s}]`).join(' or ')}`,
      )
      state = seen.ops
    } else {
      state = seen.ops
      let landed = false
      if (log.inFlight && !NOT_COMMITTED.has(log.inFlight.last)) {
        const finished = log.done.reduce<number[]>((ops, op) => applyOp(ops, op), [...before])
        landed = JSON.stringify(state) === JSON.stringify(applyOp(finished, log.inFlight.op))
        if (landed) summary.inFlightLanded++
        else summary.inFlightLost++
      }
      // One version per committed write: the rows read are those of the latest version, N or N+1.
      const expected = versionBefore + log.done.length + (landed ? 1 : 0)
      const latest = await latestVersion(campaign.reader, campaign.entity)
      const versions = await logVersions(campaign.reader, campaign.entity)
      const expectedVersions = expected < 0 ? 'no versions' : `0..${expected}`
      if (latest !== expected || versions !== expectedVersions) {
        summary.failures.push(`${where}: the log holds versions ${versions} (latest ${latest}); expected ${expectedVersions}`)
      }
    }
    if (campaign.afterTrial) summary.failures.push(...(await campaign.afterTrial(trial, log)))
    nextOp = Math.max(nextOp, ...log.done, log.inFlight?.op ?? -1) + 1
  }
  summary.finalOps = state
  return summary
}

/** The table's latest version, -1 when it is not a table yet. */
async function latestVersion(reader: StorageBackend, entity: string): Promise<number> {
  try {
    return (await reader.schema(entity)).version
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return -1
    throw error
  }
}

/** Rows in a stable order, for comparing two reads. */
export function sortRows(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort()
}

/**
 * Runs `vacuum({ olderThanMs: 0 })` on the table the crash trials left behind and returns what it
 * did beside what it must have done (`expected`), for the test to compare whole: the kills left
 * orphans (files no version added) and removed files an overwrite did not get to delete; vacuum
 * deletes exactly those, the log stays as it was, and every committed row stays. `isReported` drops
 * keys vacuum may also report (the local store's hidden temp files).
 */
export async function vacuumAfterCrashes(
  reader: StorageBackend,
  entity: string,
  partition: Record<string, string | number>,
  finalOps: readonly number[],
  isReported: (key: string) => boolean = () => true,
) {
  const rowsBefore = sortRows(await reader.readIndex(entity, partition))
  const before = await tableFiles(reader, entity)
  await new Promise((resolve) => setTimeout(resolve, 5)) // olderThanMs: 0 means "older than now"
  const { deleted } = await reader.vacuum(entity, { olderThanMs: 0 })
  const rows = await reader.readIndex(entity, partition)
  const after = await tableFiles(reader, entity)
  const outcome = {
    leftBehind: { orphans: before.orphans.length > 0, removedStillThere: before.removedStillThere.length > 0 },
    rows: sortRows(rows),
    state: observedState(rows, partition),
    deleted: deleted.filter(isReported).sort(),
    after: { versions: after.versions, onStorage: after.onStorage, orphans: after.orphans, removedStillThere: after.removedStillThere },
  }
  const expected = {
    leftBehind: { orphans: true, removedStillThere: true },
    rows: rowsBefore,
    state: { ops: [...finalOps] },
    deleted: [...before.orphans, ...before.removedStillThere].sort(),
    after: { versions: before.versions, onStorage: before.live, orphans: [], removedStillThere: [] },
  }
  return { outcome, expected }
}
