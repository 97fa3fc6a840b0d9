// Crash trials shared by the local and s3 crash tests.
//
// A child process (`writer-process.mjs`, importing the built package) writes one partition of a Delta
// table through a planned sequence of overwrites and appends, printing each step. The parent SIGKILLs
// it at a seeded moment, then reads the partition and checks it against what the writer printed: the
// rows must be exactly those of some complete sequence of committed writes (the last finished write,
// or the one in flight if its version file had landed), never a mix, never nothing when something was
// committed, never an error; and the table's latest version must be the one those rows belong to.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Row, StorageBackend } from '@cfb/storage-core'
import { logVersions, tableFiles } from './delta-log.js'
import { seededRandom } from './seeded-random.js'

export type WriteMode = 'overwrite' | 'append'

export interface PlannedOp {
  op: number
  mode: WriteMode
  rows: Row[]
}

/** The steps a writer reports, in the order one write goes through them. */
export const WRITER_EVENTS = [
  'begin',
  'put-data',
  'put-data-temp',
  'put-data-done',
  'put-commit',
  'put-commit-temp',
  'put-commit-done',
  'put-checkpoint',
  'put-checkpoint-temp',
  'put-checkpoint-done',
  'delete',
  'delete-partial',
  'delete-done',
  'done',
] as const
export type WriterEvent = (typeof WRITER_EVENTS)[number]

/** Last steps after which the write is certainly not visible yet (the commit put has not begun). */
const NOT_COMMITTED = new Set<WriterEvent>(['begin', 'put-data', 'put-data-temp', 'put-data-done'])
/**
 * The commit put may or may not have landed: a running writer goes on past the step it printed
 * last. A writer stalled at one of these steps was killed before its commit was placed.
 */
const MAYBE_COMMITTED = new Set<WriterEvent>(['put-commit', 'put-commit-temp'])
/** Steps only an overwrite goes through (cleanup of what it superseded). */
const CLEANUP_EVENTS = new Set<WriterEvent>(['delete', 'delete-partial', 'delete-done'])
/** Steps only a write committing a version that is a multiple of 10 goes through. */
const CHECKPOINT_EVENTS = new Set<WriterEvent>(['put-checkpoint', 'put-checkpoint-temp', 'put-checkpoint-done'])
const CHECKPOINT_INTERVAL = 10

/** Where a kill landed, for the report. */
export const PHASE_OF: Record<WriterEvent | 'startup' | 'ready' | 'idle', string> = {
  startup: 'during process startup',
  ready: 'between writes',
  begin: 'before the data put (loading the log, planning)',
  'put-data': 'during the data put',
  'put-data-temp': 'during the data put, temp file on disk',
  'put-data-done': 'between data and commit',
  'put-commit': 'during the commit put',
  'put-commit-temp': 'during the commit put, temp file on disk',
  'put-commit-done': 'after the commit, before cleanup',
  'put-checkpoint': 'during the checkpoint put',
  'put-checkpoint-temp': 'during the checkpoint put, temp file on disk',
  'put-checkpoint-done': 'after a checkpoint put',
  delete: 'during cleanup (none deleted yet)',
  'delete-partial': 'during cleanup (half deleted)',
  'delete-done': 'after cleanup',
  done: 'between writes',
  idle: 'between writes',
}

/** Op `n`: every third an overwrite, the rest appends; 1 to 7 rows, each naming its op. */
export function planOp(op: number): PlannedOp {
  const count = 1 + ((op * 5 + 3) % 7)
  const rows = Array.from({ length: count }, (_, i) => ({ op, i, tag: `op${op}-row${i}-of${count}` }))
  return { op, mode: op % 3 === 0 ? 'overwrite' : 'append', rows }
}

/** What a committed state holds: the ops whose rows are visible, in order. */
export function applyOp(state: readonly number[], op: number): number[] {
  return planOp(op).mode === 'overwrite' ? [op] : [...state, op]
}

export type KillTrigger =
  /** The writer sleeps right after printing `event` for `op`; the kill lands exactly there. */
  | { kind: 'stall'; op: number; event: WriterEvent }
  /** Free-running: kill `delayMs` after the line for (`op`, `event`) arrives. */
  | { kind: 'event'; op: number; event: WriterEvent; delayMs: number }
  /** Free-running: kill `delayMs` after the writer is ready. */
  | { kind: 'time'; delayMs: number }

/** The storage a writer process opens: `new (await import(module))[className](options)`. */
export interface WriterBackend {
  /** URL of the adapter's built entry point (the writer imports the built package). */
  module: string
  className: string
  options: Record<string, unknown>
}

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

export interface WriterRun {
  lines: string[]
  stderr: string
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** Set when the trigger never fired and the watchdog had to kill the writer. */
  timedOut: boolean
}

const live = new Set<ChildProcess>()

/** Kills any writer still running (for afterAll). */
export function killAllWriters(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
}

/** The one writer script every adapter's crash and concurrency tests run. */
const WRITER_SCRIPT = fileURLToPath(new URL('../writer-process.mjs', import.meta.url))

/** Spawns a writer with `config` and collects its output until it exits. */
export function spawnWriter(
  config: Record<string, unknown> & { backend: WriterBackend },
  onLine: (line: string, child: ChildProcess) => void = () => {},
): { child: ChildProcess; finished: Promise<WriterRun> } {
  const child = spawn(process.execPath, [WRITER_SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // The parent's NODE_OPTIONS are for jest (vm modules); the writer needs none of them. Process
    // warnings (the AWS SDK's about Node 20) are not failures; anything else on stderr is.
    env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' },
  })
  live.add(child)
  const lines: string[] = []
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk
  })
  const reader = createInterface({ input: child.stdout! })
  reader.on('line', (line) => {
    lines.push(line)
    onLine(line, child)
  })
  const stdoutClosed = new Promise<void>((resolve) => reader.once('close', resolve))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject))
  const finished = Promise.race([Promise.all([exited, stdoutClosed]), spawnFailed]).then(([exit]) => {
    live.delete(child)
    child.stdin?.destroy()
    return { lines, stderr, exitCode: exit.code, signal: exit.signal, timedOut: false }
  })
  return { child, finished }
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

export interface WriterLog {
  ready: boolean
  /** Ops whose write returned. */
  done: number[]
  /** The op whose write had begun but not returned, and the last step it reported. */
  inFlight?: { op: number; last: WriterEvent }
  /** Where the kill landed (a key of PHASE_OF). */
  killedAt: keyof typeof PHASE_OF
  errors: string[]
}

/** Reads a writer's stdout back into what it had done. */
export function parseLog(lines: readonly string[]): WriterLog {
  const log: WriterLog = { ready: false, done: [], killedAt: 'startup', errors: [] }
  for (const line of lines) {
    if (line === 'ready' || line === 'idle') {
      log.ready = true
      log.killedAt = line
      continue
    }
    if (line.startsWith('error ')) {
      log.errors.push(line.slice('error '.length))
      continue
    }
    const [event, opText] = line.split(' ') as [WriterEvent, string]
    if (!(WRITER_EVENTS as readonly string[]).includes(event)) {
      log.errors.push(`unexpected line: ${line}`)
      continue
    }
    const op = Number(opText)
    log.killedAt = event
    if (event === 'done') {
      log.done.push(op)
      log.inFlight = undefined
    } else {
      log.inFlight = { op, last: event }
    }
  }
  return log
}

/**
 * The committed states the partition may be in after this writer died, given the state before it:
 * every finished write applied, plus the one in flight when its commit had (or may have) landed.
 */
export function allowedStates(before: readonly number[], log: WriterLog, stalledThere = false): number[][] {
  const finished = log.done.reduce<number[]>((state, op) => applyOp(state, op), [...before])
  const flight = log.inFlight
  if (!flight || NOT_COMMITTED.has(flight.last)) return [finished]
  const landed = applyOp(finished, flight.op)
  if (!MAYBE_COMMITTED.has(flight.last)) return [landed]
  return stalledThere ? [finished] : [finished, landed]
}

/** True when the writer died in the stall the trigger asked for (so exactly at that step). */
function diedInStall(trigger: KillTrigger, log: WriterLog): boolean {
  return (
    trigger.kind === 'stall' &&
    log.inFlight !== undefined &&
    log.inFlight.op === trigger.op &&
    log.inFlight.last === trigger.event
  )
}

/**
 * The ops a read shows, when its rows are exactly complete row sets of distinct ops (with the
 * partition columns); otherwise what is wrong with them.
 */
export function observedState(
  rows: readonly Row[],
  partition: Record<string, string | number>,
): { ops: number[] } | { problem: string } {
  const byOp = new Map<number, Row[]>()
  for (const row of rows) {
    const op = row.op
    if (typeof op !== 'number' || !Number.isInteger(op) || op < 0) {
      return { problem: `a row that no planned write wrote: ${JSON.stringify(row)}` }
    }
    for (const [key, value] of Object.entries(partition)) {
      if (row[key] !== value) return { problem: `row ${JSON.stringify(row)} lacks ${key}=${value}` }
    }
    byOp.set(op, [...(byOp.get(op) ?? []), row])
  }
  const ops = [...byOp.keys()].sort((a, b) => a - b)
  for (const op of ops) {
    const expected = planOp(op).rows.map((r) => JSON.stringify(r)).sort()
    const got = byOp
      .get(op)!
      .map((r) => JSON.stringify({ op: r.op, i: r.i, tag: r.tag }))
      .sort()
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      return { problem: `op ${op}: rows ${got.join(' ')} are not its complete set (${expected.length} rows)` }
    }
  }
  return { ops }
}

/**
 * The plan of trial `index` of `total`: half the trials stall the writer at one step (cycling
 * through `events`, so every step gets its kills), the rest run free and are killed after a short
 * seeded delay, from a step or from startup. The last two leave work for vacuum whatever happened
 * before: an overwrite killed before its cleanup (superseded commits and files), then a write
 * killed between its data and its commit (an orphan part file).
 */
export function planTrigger(
  index: number,
  total: number,
  firstOp: number,
  events: readonly WriterEvent[],
  random: () => number,
  /** The version `firstOp` will commit (each op commits one). */
  firstVersion: number,
): KillTrigger {
  const nextOverwrite = () => {
    let op = firstOp
    while (planOp(op).mode !== 'overwrite') op++
    return op
  }
  const nextCheckpoint = () => {
    let op = firstOp
    while ((firstVersion + op - firstOp) % CHECKPOINT_INTERVAL !== 0 || firstVersion + op - firstOp === 0) op++
    return op
  }
  const pickOp = (event: WriterEvent, spread: number) =>
    // Cleanup happens only in overwrites, checkpoints every 10 versions: aim at the next one.
    CLEANUP_EVENTS.has(event)
      ? nextOverwrite()
      : CHECKPOINT_EVENTS.has(event)
        ? nextCheckpoint()
        : firstOp + Math.floor(random() * spread)
  if (index === total - 2) return { kind: 'stall', op: nextOverwrite(), event: 'put-commit-done' }
  if (index === total - 1) return { kind: 'stall', op: firstOp, event: 'put-data-done' }
  if (index % 2 === 0) {
    const event = events[(index / 2) % events.length]!
    return { kind: 'stall', op: pickOp(event, 2), event }
  }
  if (random() < 0.7) {
    const event = events[Math.floor(random() * events.length)]!
    return { kind: 'event', op: pickOp(event, 3), event, delayMs: Math.floor(random() * 6) }
  }
  return { kind: 'time', delayMs: Math.floor(random() * 40) }
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
