// What a crash trial's writer is told to do, and where it is killed.
import type { Row } from '@cfb/storage-core'

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
export const NOT_COMMITTED = new Set<WriterEvent>(['begin', 'put-data', 'put-data-temp', 'put-data-done'])
/**
 * The commit put may or may not have landed: a running writer goes on past the step it printed
 * last. A writer stalled at one of these steps was killed before its commit was placed.
 */
export const MAYBE_COMMITTED = new Set<WriterEvent>(['put-commit', 'put-commit-temp'])
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
