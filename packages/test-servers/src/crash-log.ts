// What a killed writer printed, and which table states that allows a reader to see.
import type { Row } from '@cfb/storage-core'
import { applyOp, type KillTrigger, MAYBE_COMMITTED, NOT_COMMITTED, type PHASE_OF, planOp, WRITER_EVENTS, type WriterEvent } from './crash-plan.js'

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
export function diedInStall(trigger: KillTrigger, log: WriterLog): boolean {
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
