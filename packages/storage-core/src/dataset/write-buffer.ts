import type { Partition } from '../partition/partition.js'

type Row = Record<string, unknown>

/** Records of one partition folder. */
export interface PartitionRows {
  partition: Partition
  records: readonly Row[]
}

interface Held {
  partition: Partition
  /** The records as given, not copied: the caller's arrays are never changed. */
  chunks: (readonly Row[])[]
  count: number
  /** The batch that last brought it rows: partitions the input has moved past are written first. */
  lastBatch: number
}

/**
 * Rows a write holds until they become files, by partition folder (2024 and "2024" are one). It
 * remembers every partition it was given, including those already written out and those given
 * no rows, since an overwrite replaces each of them.
 */
export class PartitionBuffers {
  private readonly held = new Map<string, Held>()
  private readonly seen = new Map<string, Partition>()
  private batch = 0
  /** Rows held now. */
  rows = 0

  add(groups: readonly PartitionRows[]): void {
    this.batch++
    for (const group of groups) {
      const suffix = group.partition.pathSuffix()
      if (!this.seen.has(suffix)) this.seen.set(suffix, group.partition)
      let held = this.held.get(suffix)
      if (held === undefined) {
        held = { partition: this.seen.get(suffix)!, chunks: [], count: 0, lastBatch: this.batch }
        this.held.set(suffix, held)
      }
      if (group.records.length === 0) continue
      held.chunks.push(group.records)
      held.count += group.records.length
      held.lastBatch = this.batch
      this.rows += group.records.length
    }
  }

  /** Every partition held now, in the order first given. */
  all(): PartitionRows[] {
    return [...this.held.values()].map(rowsOf)
  }

  /**
   * Once more than `limit` rows are held, takes out the partitions the latest batch brought
   * nothing (the input has moved past them), and, if that is not enough, the largest until half
   * of `limit` stay. Sorted input thus gets one file per partition, unless a partition alone
   * exceeds `limit`; any input's held rows stay bounded.
   */
  overflow(limit: number): PartitionRows[] {
    if (this.rows <= limit) return []
    const taken: PartitionRows[] = []
    const take = (suffix: string, held: Held) => {
      this.held.delete(suffix)
      this.rows -= held.count
      taken.push(rowsOf(held))
    }
    for (const [suffix, held] of this.held) if (held.lastBatch < this.batch) take(suffix, held)
    if (this.rows > limit) {
      const largest = [...this.held].sort(([, a], [, b]) => b.count - a.count)
      for (const [suffix, held] of largest) {
        if (this.rows <= limit / 2) break
        take(suffix, held)
      }
    }
    return taken
  }

  /** Takes every partition still held. */
  drain(): PartitionRows[] {
    const taken = this.all()
    this.held.clear()
    this.rows = 0
    return taken
  }

  /** Every partition given, written out or held, with rows or without. */
  partitions(): Partition[] {
    return [...this.seen.values()]
  }
}

function rowsOf(held: Held): PartitionRows {
  const records = held.chunks.length === 1 ? held.chunks[0]! : held.chunks.flat()
  // Joined once: later calls see one chunk.
  held.chunks = records.length > 0 ? [records] : []
  return { partition: held.partition, records }
}
