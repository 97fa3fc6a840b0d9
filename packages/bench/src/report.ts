/** One row of the table: our figure, the peer's in the same run, and the ratio against a target. */
export interface BenchRow {
  name: string
  unit: string
  ours: number
  peer: number
  peerName: string
  /** ours / peer must be at most this (lower is better). */
  target: number
  note?: string
}

export function ratio(row: BenchRow): number {
  return row.peer === 0 ? Number.POSITIVE_INFINITY : row.ours / row.peer
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))

/** A Markdown table, the form the README keeps. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| row | ours | peer | ours / peer | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const q = ratio(r)
      return `| ${r.name} | ${fmt(r.ours)} ${r.unit} | ${fmt(r.peer)} ${r.unit} (${r.peerName}) | ${q.toFixed(2)} | <= ${r.target} | ${q <= r.target ? 'yes' : 'no'} |`
    }),
  ]
  return lines.join('\n')
}
