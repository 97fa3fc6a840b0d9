/**
 * The store-level suite tests itself: each mutant is the memory store with one bug an adapter
 * could have, and the suite must fail on every one. A mutant that passes is a missing test. The
 * table of mutants and the cases that caught each is kept in CONFORMANCE.md, and checked here.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import {
  caseCapabilities,
  caseTitle,
  LARGE_LISTING_KEYS,
  runStoreCase,
  type StoreCase,
  storeCaseGroups,
} from '../src/conformance/index.js'
import { compareText } from '../src/keys/key-order.js'
import {
  type ByteRange,
  type ListEntry,
  type ListOptions,
  MemoryObjectStore,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  StorageError,
  type StoreCapabilities,
} from '../src/index.js'

/** Delegates everything to a fresh memory store; a mutant overrides one thing. */
class Wrapped implements ObjectStore {
  readonly name: string = 'mutant'
  readonly inner = new MemoryObjectStore()
  get capabilities(): StoreCapabilities {
    return this.inner.capabilities
  }
  get(key: string, range?: ByteRange): Promise<Uint8Array> {
    return this.inner.get(key, range)
  }
  head(key: string): Promise<ObjectInfo> {
    return this.inner.head(key)
  }
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    return this.inner.put(key, bytes, options)
  }
  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry> {
    return this.inner.list(prefix, options)
  }
  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys)
  }
  root(): string {
    return this.inner.root()
  }
  fullPath(key: string): string {
    return this.inner.fullPath(key)
  }
  /** Every key of the store, in order (for mutants that rewrite listings or deletes). */
  async allKeys(): Promise<string[]> {
    const keys: string[] = []
    for await (const entry of this.inner.list('')) if (entry.kind === 'object') keys.push(entry.key)
    return keys
  }
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items
}

async function collect(entries: AsyncIterable<ListEntry>): Promise<ListEntry[]> {
  const out: ListEntry[] = []
  for await (const entry of entries) out.push(entry)
  return out
}

const nameOf = (entry: ListEntry) => (entry.kind === 'object' ? entry.key : entry.prefix)

/** A listing rewritten by `change` (which sees every entry the correct store yields). */
function listing(change: (entries: ListEntry[], options: ListOptions) => ListEntry[]) {
  return class extends Wrapped {
    override list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
      return (async function* (inner) {
        yield* fromArray(change(await collect(inner.list(prefix, options)), options))
      })(this.inner)
    }
  }
}

/** The listing of a service with pages of `size` that loses everything after the first page. */
const dropsSecondPage = (size: number) => listing((entries) => entries.slice(0, size))

const notFound = (key: string) => new StorageError('NOT_FOUND', `no such object: ${key}`, { backend: 'mutant', key })

/** Each mutant: one bug an adapter could have. */
const MUTANTS: Record<string, new () => ObjectStore> = {
  'list yields keys in reverse order': listing((entries) => [...entries].reverse()),
  "list yields keys in UTF-16 order (JavaScript's sort), not UTF-8": listing((entries) =>
    [...entries].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0)),
  ),
  "list yields keys in localeCompare order (fauxqs's), undeclared": listing((entries) =>
    [...entries].sort((a, b) => nameOf(a).localeCompare(nameOf(b))),
  ),
  'list drops everything after a first page of 1,000': dropsSecondPage(1_000),
  'list drops everything after a first page of 5,000': dropsSecondPage(5_000),
  'list repeats the last key of a 1,000-key page at the start of the next': listing((entries) =>
    entries.flatMap((entry, i) => (i > 0 && i % 1_000 === 0 ? [entries[i - 1]!, entry] : [entry])),
  ),
  'list treats the prefix as a folder (`p/a` lists only under `p/a/`)': class extends Wrapped {
    override list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry> {
      const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`
      return this.inner.list(folder, options)
    }
  },
  'list with a limit yields the last entries instead of the first': listing((entries, options) =>
    options.limit === undefined ? entries : entries.slice(-options.limit),
  ),
  'a listing reports a wrong size': listing((entries) =>
    entries.map((entry) => (entry.kind === 'object' && entry.size > 0 ? { ...entry, size: entry.size - 1 } : entry)),
  ),
  'a delimiter listing yields no folder prefixes': listing((entries) => entries.filter((entry) => entry.kind === 'object')),
  'a delimiter listing yields folders after the objects, not merged in order': listing((entries) => [
    ...entries.filter((entry) => entry.kind === 'object'),
    ...entries.filter((entry) => entry.kind === 'prefix'),
  ]),
  "put ignores ifNoneMatch while claiming conditionalPut (overwrites)": class extends Wrapped {
    override put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
      return this.inner.put(key, bytes, { ...options, ifNoneMatch: undefined })
    }
  },
  'put checks ifNoneMatch and then writes, not atomically (racing creates both win)': class extends Wrapped {
    override async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
      if (options.ifNoneMatch === '*') {
        const exists = await this.inner.head(key).then(
          () => true,
          () => false,
        )
        await new Promise((resolve) => setTimeout(resolve, 1))
        if (exists) throw new StorageError('CONFLICT', `exists: ${key}`, { backend: 'mutant', key })
      }
      return this.inner.put(key, bytes, { ...options, ifNoneMatch: undefined })
    }
  },
  "declares no conditionalPut and silently drops ifNoneMatch (a plain put)": class extends Wrapped {
    override get capabilities(): StoreCapabilities {
      return { ...this.inner.capabilities, conditionalPut: false }
    }
    override put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
      return this.inner.put(key, bytes, { ...options, ifNoneMatch: undefined })
    }
  },
  'put normalises keys to NFC while claiming distinctUnicodeNormalization': class extends Wrapped {
    override put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void> {
      return this.inner.put(key.normalize('NFC'), bytes, options)
    }
    override get(key: string, range?: ByteRange): Promise<Uint8Array> {
      return this.inner.get(key.normalize('NFC'), range)
    }
  },
  'put drops object metadata': class extends Wrapped {
    override put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
      return this.inner.put(key, bytes, { ...options, metadata: undefined })
    }
  },
  'put keeps the metadata of the object it replaces': class extends Wrapped {
    private readonly kept = new Map<string, Record<string, string>>()
    override put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
      const metadata = { ...this.kept.get(key), ...options.metadata }
      this.kept.set(key, metadata)
      return this.inner.put(key, bytes, { ...options, metadata })
    }
  },
  'ranged get ignores the end offset': class extends Wrapped {
    override get(key: string, range: ByteRange = {}): Promise<Uint8Array> {
      return this.inner.get(key, { start: range.start })
    }
  },
  'ranged get with a start at or past the size fails (an unhandled 416)': class extends Wrapped {
    override async get(key: string, range: ByteRange = {}): Promise<Uint8Array> {
      const { size } = await this.inner.head(key)
      if (range.start !== undefined && range.start >= size && size > 0) {
        throw new StorageError('INVALID_ARGUMENT', 'range not satisfiable', { backend: 'mutant', key })
      }
      return this.inner.get(key, range)
    }
  },
  'ranged get of a missing key returns no bytes instead of NOT_FOUND': class extends Wrapped {
    override async get(key: string, range?: ByteRange): Promise<Uint8Array> {
      try {
        return await this.inner.get(key, range)
      } catch (error) {
        if (range) return new Uint8Array(0)
        throw error
      }
    }
  },
  'get returns stale bytes after an overwrite': class extends Wrapped {
    private readonly cache = new Map<string, Uint8Array>()
    override async get(key: string, range: ByteRange = {}): Promise<Uint8Array> {
      let bytes = this.cache.get(key)
      if (!bytes) {
        bytes = await this.inner.get(key)
        this.cache.set(key, bytes)
      }
      return bytes.slice(range.start ?? 0, range.end ?? bytes.length)
    }
  },
  'head reports a wrong size': class extends Wrapped {
    override async head(key: string): Promise<ObjectInfo> {
      const info = await this.inner.head(key)
      return { ...info, size: info.size + 1 }
    }
  },
  'head of a folder-like prefix answers as an empty object': class extends Wrapped {
    override async head(key: string): Promise<ObjectInfo> {
      try {
        return await this.inner.head(key)
      } catch (error) {
        for await (const _ of this.inner.list(`${key}/`)) return { key, size: 0 }
        throw error
      }
    }
  },
  'delete of a missing key throws NOT_FOUND': class extends Wrapped {
    override async delete(keys: readonly string[]): Promise<void> {
      for (const key of keys) await this.inner.head(key).catch(() => Promise.reject(notFound(key)))
      return this.inner.delete(keys)
    }
  },
  "delete removes a key's prefix neighbours (`a` takes `ab` and `a.txt`)": class extends Wrapped {
    override async delete(keys: readonly string[]): Promise<void> {
      const all = await this.allKeys()
      return this.inner.delete(all.filter((key) => keys.some((asked) => key.startsWith(asked))))
    }
  },
  'delete removes only the first 1,000 keys of a call': class extends Wrapped {
    override delete(keys: readonly string[]): Promise<void> {
      return this.inner.delete(keys.slice(0, 1_000))
    }
  },
}

/** A store without conditional put that refuses `ifNoneMatch`, as the contract asks. */
class RefusingCreateOnly extends Wrapped {
  override get capabilities(): StoreCapabilities {
    return {
      conditionalPut: false,
      delimiterListing: false,
      distinctUnicodeNormalization: false,
      objectMetadata: false,
      rangedReadOfEmptyObject: false,
    }
  }
  override put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (options.ifNoneMatch !== undefined) {
      return Promise.reject(new StorageError('NOT_SUPPORTED', 'no conditional put', { backend: 'mutant', key }))
    }
    return this.inner.put(key, bytes, { ...options, metadata: undefined })
  }
}

/** A server that sorts with `localeCompare` (as fauxqs does), declared as such. */
const LocaleOrdered = MUTANTS["list yields keys in localeCompare order (fauxqs's), undeclared"]!

const CASES: StoreCase[] = storeCaseGroups.flatMap((group) => [...group.cases])

/** Titles of the cases that fail on a fresh store from `make`. */
async function failingCases(make: () => ObjectStore, declared: { utf8ListingOrder?: boolean } = {}): Promise<string[]> {
  const failed: string[] = []
  for (const storeCase of CASES) {
    const store = make()
    const capabilities = caseCapabilities(store, declared)
    const has = storeCase.capability === undefined || capabilities[storeCase.capability]
    try {
      await runStoreCase(storeCase, store, { capabilities, largeListingKeys: LARGE_LISTING_KEYS })
    } catch {
      failed.push(caseTitle(storeCase, has))
    }
  }
  return failed
}

function table(rows: [string, string[]][]): string {
  const lines = ['| mutant (one bug in the memory store) | store-level cases that fail on it |', '|---|---|']
  for (const [mutant, caught] of rows) lines.push(`| ${mutant} | ${caught.length === 0 ? '**none**' : caught.join('<br>')} |`)
  return lines.join('\n')
}

const BEGIN = '<!-- mutants:begin -->'
const END = '<!-- mutants:end -->'

describe('the store-level conformance suite', () => {
  it('passes on the memory store, and on a store that lacks every optional capability and says so', async () => {
    expect(await failingCases(() => new MemoryObjectStore())).toEqual([])
    expect(await failingCases(() => new RefusingCreateOnly())).toEqual([])
    expect(await failingCases(() => new LocaleOrdered(), { utf8ListingOrder: false })).toEqual([])
  })

  it('fails on every mutant, as the table in CONFORMANCE.md records', async () => {
    const rows: [string, string[]][] = []
    for (const [mutant, Mutant] of Object.entries(MUTANTS)) rows.push([mutant, await failingCases(() => new Mutant())])
    const escaped = rows.filter(([, caught]) => caught.length === 0).map(([mutant]) => mutant)
    expect(escaped).toEqual([])
    const file = new URL('../CONFORMANCE.md', import.meta.url)
    const doc = readFileSync(file, 'utf8')
    const recorded = doc.slice(doc.indexOf(BEGIN) + BEGIN.length, doc.indexOf(END)).trim()
    if (recorded !== table(rows) && process.env.UPDATE_MUTANT_TABLE === '1') {
      writeFileSync(file, `${doc.slice(0, doc.indexOf(BEGIN) + BEGIN.length)}\n${table(rows)}\n${doc.slice(doc.indexOf(END))}`)
    } else if (recorded !== table(rows)) {
      throw new Error(
        `CONFORMANCE.md's mutant table is out of date (UPDATE_MUTANT_TABLE=1 rewrites it); it should read:\n\n${table(rows)}\n`,
      )
    }
  })
})

// Keeps `compareText` (the memory store's order) and the suite's order the same thing.
it('orders keys the way the suite expects listings to be ordered', () => {
  expect(['a\u{1F600}', 'a\uFFFF'].sort(compareText)).toEqual(['a\uFFFF', 'a\u{1F600}'])
})
