/**
 * The maps of a table state (live files, tombstones, app transactions), which each version derives
 * from the last without copying it: a base map shared between versions and never changed, plus
 * the entries set and the base keys deleted since. A commit into a table of N files then costs its
 * own changes rather than a copy of N entries (4.5 ms a commit at 20,000 files); the changes are
 * folded into a new base once they outgrow about 4·√N, so lookups stay two probes and the copying
 * comes to O(√N) a commit.
 */
export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  /** Entries set since `base`: new keys, and base keys given a new value. */
  private readonly added: Map<K, V>
  /** Base keys deleted since (never also in `added`). */
  private readonly hidden: Set<K>
  /** Keys of `added` that `base` does not have. */
  private fresh: number

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    from?: LayeredMap<K, V>,
  ) {
    this.added = new Map(from?.added)
    this.hidden = new Set(from?.hidden)
    this.fresh = from?.fresh ?? 0
  }

  /**
   * A map holding what `from` holds, to change without changing `from`. `from` (a plain map given
   * here, or any map's base) must not change afterwards: states never change their maps.
   */
  static over<K, V>(from?: ReadonlyMap<K, V>): LayeredMap<K, V> {
    if (from === undefined) return new LayeredMap(new Map())
    if (!(from instanceof LayeredMap)) return new LayeredMap(from)
    const changes = from.added.size + from.hidden.size
    return changes > 64 + 4 * Math.sqrt(from.base.size) ? new LayeredMap(new Map(from)) : new LayeredMap(from.base, from)
  }

  get size(): number {
    return this.base.size - this.hidden.size + this.fresh
  }

  get(key: K): V | undefined {
    const value = this.added.get(key)
    if (value !== undefined || this.added.has(key)) return value
    return this.hidden.has(key) ? undefined : this.base.get(key)
  }

  has(key: K): boolean {
    return this.added.has(key) || (!this.hidden.has(key) && this.base.has(key))
  }

  set(key: K, value: V): this {
    if (!this.base.has(key)) {
      if (!this.added.has(key)) this.fresh++
    } else this.hidden.delete(key)
    this.added.set(key, value)
    return this
  }

  delete(key: K): boolean {
    const inBase = this.base.has(key)
    if (this.added.delete(key)) {
      if (inBase) this.hidden.add(key)
      else this.fresh--
      return true
    }
    if (!inBase || this.hidden.has(key)) return false
    this.hidden.add(key)
    return true
  }

  /** Base entries in their order (with any new value), then new keys in the order they were set. */
  entries(): MapIterator<[K, V]> {
    return this.collect((key, value) => [key, value] as [K, V])
  }

  keys(): MapIterator<K> {
    return this.collect((key) => key)
  }

  values(): MapIterator<V> {
    return this.collect((_, value) => value)
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }

  // An array's iterator: a generator here cost 195 ns an entry (superseded walks every live file).
  private collect<T>(item: (key: K, value: V) => T): MapIterator<T> {
    const { base, added, hidden } = this
    const out: T[] = []
    const replaced = added.size !== this.fresh
    for (const [key, value] of base) {
      if (hidden.size > 0 && hidden.has(key)) continue
      out.push(item(key, replaced && added.has(key) ? (added.get(key) as V) : value))
    }
    for (const [key, value] of added) if (!replaced || !base.has(key)) out.push(item(key, value))
    return out.values() as MapIterator<T>
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this)
  }
}
