/** One row of the table: our figure, the peer's in the same run, and the ratio against a target. */
export interface BenchRow {
  name: string
  unit: string
  ours: number
  /** Absent for a figure printed without a peer (commit throughput). */
  peer?: number
  peerName: string
  /** ours / peer must be at most this (lower is better); absent: printed only. */
  target?: number
  /** The target in words when it is not a ratio ("no lost batch"). */
  targetText?: string
  /** Whether the target is met, for rows whose target is not a ratio. */
  met?: boolean
  /** A breakdown of the row above it (one record origin of a write row). */
  sub?: boolean
  note?: string
}

export function ratio(row: BenchRow): number | undefined {
  if (row.peer === undefined) return undefined
  return row.peer === 0 ? Number.POSITIVE_INFINITY : row.ours / row.peer
}

export function met(row: BenchRow): boolean | undefined {
  if (row.met !== undefined) return row.met
  const q = ratio(row)
  return q === undefined || row.target === undefined ? undefined : q <= row.target
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))
const cap = (n: number) => Number(n.toFixed(2))

/** A Markdown table, the form the README keeps. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| row | ours | peer | ours / peer | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const q = ratio(r)
      const ok = met(r)
      const peer = r.peer === undefined ? r.peerName : `${fmt(r.peer)} ${r.unit} (${r.peerName})`
      const target = r.targetText ?? (r.target === undefined ? '—' : `<= ${cap(r.target)}`)
      return `| ${r.sub ? '↳ ' : ''}${r.name} | ${fmt(r.ours)} ${r.unit} | ${peer} | ${q === undefined ? '—' : q.toFixed(2)} | ${target} | ${ok === undefined ? '—' : ok ? 'yes' : 'no'} |`
    }),
  ]
  return lines.join('\n')
}
