/**
 * The checkpoint's Parquet file, written for its one fixed schema (PROTOCOL.md, "Checkpoint
 * Schema"): each leaf column's repetition and definition levels are made straight from the
 * actions, with no generic shredding of nested values, which took most of a large table's
 * checkpoint.
 *
 * Pages are DATA_PAGE_V2, values PLAIN and snappy-compressed, levels RLE, cut at row boundaries
 * near PAGE_BYTES of values.
 */
import { BOOLEAN, BYTE_ARRAY, CODECS, DATA_PAGE_V2, INT32, INT64, MAGIC, PLAIN, RLE } from '../codecs/parquet/format.js'
import { setInt64, writeByteArray } from '../codecs/parquet/plain.js'
import { writeHybrid } from '../codecs/parquet/rle.js'
import { Sink } from '../codecs/parquet/sink.js'
import { snappyCompress } from '../codecs/parquet/snappy.js'
import { Thrift } from '../codecs/parquet/thrift-compact.js'

const PAGE_BYTES = 1 << 20

// FieldRepetitionType and ConvertedType in parquet.thrift.
const REQUIRED = 0
const OPTIONAL = 1
const REPEATED = 2
const UTF8 = 0
const MAP = 1
const LIST = 3

type Physical = typeof BOOLEAN | typeof INT32 | typeof INT64 | typeof BYTE_ARRAY

/** A node of the schema: a group with children, or a leaf with a physical type. */
interface SchemaNode {
  name: string
  repetition: number
  converted?: number
  physical?: Physical
  children?: SchemaNode[]
  /** A leaf's position among all leaves, in schema order. */
  leaf?: number
}

const str = (name: string, repetition = OPTIONAL): SchemaNode => ({ name, repetition, converted: UTF8, physical: BYTE_ARRAY })
const i64 = (name: string): SchemaNode => ({ name, repetition: OPTIONAL, physical: INT64 })
const i32 = (name: string): SchemaNode => ({ name, repetition: OPTIONAL, physical: INT32 })
const bool = (name: string): SchemaNode => ({ name, repetition: OPTIONAL, physical: BOOLEAN })
const group = (name: string, children: SchemaNode[]): SchemaNode => ({ name, repetition: OPTIONAL, children })
const stringMap = (name: string): SchemaNode => ({
  name,
  repetition: OPTIONAL,
  converted: MAP,
  children: [{ name: 'key_value', repetition: REPEATED, children: [str('key', REQUIRED), str('value')] }],
})
const stringList = (name: string): SchemaNode => ({
  name,
  repetition: OPTIONAL,
  converted: LIST,
  children: [{ name: 'list', repetition: REPEATED, children: [str('element')] }],
})

/** The top-level columns, one per action kind, as Delta's checkpoints have them. */
const COLUMNS: SchemaNode[] = [
  group('txn', [str('appId'), i64('version'), i64('lastUpdated')]),
  group('add', [str('path'), stringMap('partitionValues'), i64('size'), i64('modificationTime'), bool('dataChange'), str('stats'), stringMap('tags')]),
  group('remove', [str('path'), i64('deletionTimestamp'), bool('dataChange'), bool('extendedFileMetadata'), stringMap('partitionValues'), i64('size')]),
  group('metaData', [
    str('id'),
    str('name'),
    str('description'),
    group('format', [str('provider'), stringMap('options')]),
    str('schemaString'),
    stringList('partitionColumns'),
    stringMap('configuration'),
    i64('createdTime'),
  ]),
  group('protocol', [i32('minReaderVersion'), i32('minWriterVersion')]),
]

/** A checkpoint row: one action, under its kind's column. */
export type CheckpointRow = { [kind: string]: Record<string, unknown> }

/** A page of a leaf: its entries, rows and defined values, and where its values' bytes end. */
interface Page {
  entries: number
  rows: number
  defined: number
  valuesEnd: number
}

/** A leaf column as rows are added: its levels, its values' PLAIN bytes, and its pages so far. */
class Leaf {
  reps: Uint8Array = new Uint8Array(1 << 10)
  defs: Uint8Array = new Uint8Array(1 << 10)
  entries = 0
  readonly values = new Sink(1 << 10)
  readonly pages: Page[] = []
  private page: Page = { entries: 0, rows: 0, defined: 0, valuesEnd: 0 }
  private pageStart = 0
  /** The dotted path, as errors name the leaf. */
  readonly name: string

  constructor(
    readonly path: string[],
    readonly physical: Physical,
    readonly maxDef: number,
    readonly maxRep: number,
  ) {
    this.name = path.join('.')
  }

  add(rep: number, def: number, value: unknown): void {
    if (rep === 0) {
      // A new row: pages end between rows, near PAGE_BYTES of values.
      if (this.values.length - this.pageStart >= PAGE_BYTES) this.endPage()
      this.page.rows++
    }
    if (this.entries === this.reps.length) this.grow(1)
    this.reps[this.entries] = rep
    this.defs[this.entries++] = def
    this.page.entries++
    if (def === this.maxDef) {
      this.page.defined++
      writeValue(this.values, this.physical, this.name, value)
    }
  }

  /** `rows` rows in which this leaf's column is absent: each one entry at levels 0, and no value. */
  absent(rows: number): void {
    if (rows === 0) return
    // Absent rows add no values, so a page can only end before the first of them.
    if (this.values.length - this.pageStart >= PAGE_BYTES) this.endPage()
    if (this.entries + rows > this.reps.length) this.grow(rows)
    this.reps.fill(0, this.entries, this.entries + rows)
    this.defs.fill(0, this.entries, this.entries + rows)
    this.entries += rows
    this.page.entries += rows
    this.page.rows += rows
  }

  /** Room for `extra` more entries; the new room is zero, as absent entries' levels are. */
  private grow(extra: number): void {
    let capacity = this.reps.length * 2
    while (capacity < this.entries + extra) capacity *= 2
    const reps = new Uint8Array(capacity)
    const defs = new Uint8Array(capacity)
    reps.set(this.reps)
    defs.set(this.defs)
    this.reps = reps
    this.defs = defs
  }

  /** The pages, the last one ended. */
  allPages(): Page[] {
    if (this.page.entries > 0) this.endPage()
    return this.pages
  }

  private endPage(): void {
    this.page.valuesEnd = this.values.length
    this.pages.push(this.page)
    this.pageStart = this.values.length
    this.page = { entries: 0, rows: 0, defined: 0, valuesEnd: 0 }
  }
}

/**
 * Adds `value` (the node's value in its parent, undefined or null when absent) to every leaf under
 * `node`. `def` is the definition level of the parent, `rep` the repetition level of this entry.
 */
function shred(node: SchemaNode, value: unknown, rep: number, def: number, leaves: readonly Leaf[]): void {
  const present = value !== null && value !== undefined
  if (node.physical !== undefined) {
    leaves[node.leaf!]!.add(rep, present ? def + (node.repetition === REQUIRED ? 0 : 1) : def, value)
    return
  }
  const children = node.children!
  if (!present) {
    for (const child of children) shred(child, undefined, rep, def, leaves)
    return
  }
  // A value of another shape (from a log another writer made) is refused, not written as null:
  // the checkpoint is then not written, and readers replay the commits instead.
  if (typeof value !== 'object' || Array.isArray(value) !== (node.converted === LIST)) {
    throw new TypeError(`a checkpoint's ${node.name} must be ${node.converted === LIST ? 'a list' : 'an object'}`)
  }
  if (node.converted === MAP || node.converted === LIST) {
    // An OPTIONAL group around one REPEATED group: present and empty, or one entry per pair or
    // item. No map or list here is inside a repeated group: entries after the first repeat at
    // level 1. A map's pairs are walked in place (no array of entries per add's partitionValues).
    const repeated = children[0]!.children!
    let entries = 0
    if (node.converted === MAP) {
      const pairs = value as Record<string, unknown>
      for (const key in pairs) {
        if (!Object.hasOwn(pairs, key)) continue
        const at = entries++ === 0 ? rep : 1
        shred(repeated[0]!, key, at, def + 2, leaves)
        shred(repeated[1]!, pairs[key], at, def + 2, leaves)
      }
    } else {
      for (const item of value as unknown[]) shred(repeated[0]!, item, entries++ === 0 ? rep : 1, def + 2, leaves)
    }
    if (entries === 0) for (const child of repeated) shred(child, undefined, rep, def + 1, leaves)
    return
  }
  const fields = value as Record<string, unknown>
  for (const child of children) shred(child, fields[child.name], rep, def + 1, leaves)
}

/** A leaf's path and maximum levels. */
interface LeafSpec {
  path: string[]
  physical: Physical
  maxDef: number
  maxRep: number
}

/** Numbers the leaves under `node` in schema order, adding each one's spec to `out`. */
function numberLeaves(node: SchemaNode, path: string[], def: number, rep: number, out: LeafSpec[]): void {
  const here = [...path, node.name]
  const d = def + (node.repetition === REQUIRED ? 0 : 1)
  const r = rep + (node.repetition === REPEATED ? 1 : 0)
  if (node.physical === undefined) {
    for (const child of node.children!) numberLeaves(child, here, d, r, out)
    return
  }
  node.leaf = out.length
  out.push({ path: here, physical: node.physical, maxDef: d, maxRep: r })
}

const LEAVES: LeafSpec[] = []
/** Each column's leaves, first and past the last. */
const SPANS = COLUMNS.map((column) => {
  const first = LEAVES.length
  numberLeaves(column, [], 0, 0, LEAVES)
  return [first, LEAVES.length] as const
})

interface ChunkMeta {
  leaf: Leaf
  offset: number
  entries: number
  uncompressed: number
  compressed: number
}

/** The checkpoint file of `rows` (each one action), as Parquet bytes. */
export function encodeCheckpointFile(rows: readonly CheckpointRow[], createdBy: string): Uint8Array {
  const leaves = LEAVES.map(({ path, physical, maxDef, maxRep }) => new Leaf(path, physical, maxDef, maxRep))
  // Each row has one action: every other column is absent from it. A column's absent rows are
  // counted, and entered at once before its next value (and at the end): the actions come in
  // long runs of one kind, and a checkpoint of 20,000 adds spent most of its time entering them
  // one by one into the other columns' leaves.
  const absentRows = COLUMNS.map(() => 0)
  const enterAbsent = (c: number) => {
    const [first, end] = SPANS[c]!
    for (let j = first; j < end; j++) leaves[j]!.absent(absentRows[c]!)
    absentRows[c] = 0
  }
  for (const row of rows) {
    for (let c = 0; c < COLUMNS.length; c++) {
      const column = COLUMNS[c]!
      const value = row[column.name]
      if (value === undefined || value === null) {
        absentRows[c]!++
        continue
      }
      enterAbsent(c)
      shred(column, value, 0, 0, leaves)
    }
  }
  for (let c = 0; c < COLUMNS.length; c++) enterAbsent(c)
  const file = new Sink(1 << 16)
  file.append(MAGIC)
  const levels = new Sink(1 << 12)
  const chunks: ChunkMeta[] = []
  for (const leaf of leaves) {
    const chunk: ChunkMeta = { leaf, offset: file.length, entries: leaf.entries, uncompressed: 0, compressed: 0 }
    let from = 0
    let valuesFrom = 0
    for (const page of leaf.allPages()) {
      writePage(file, levels, leaf, from, page, leaf.values.bytes.subarray(valuesFrom, page.valuesEnd), chunk)
      from += page.entries
      valuesFrom = page.valuesEnd
    }
    chunks.push(chunk)
  }
  const footerStart = file.length
  writeFooter(file, chunks, rows.length, createdBy)
  file.reserve(8)
  file.view.setUint32(file.length, file.length - footerStart, true)
  file.length += 4
  file.append(MAGIC)
  return file.bytes.subarray(0, file.length)
}

function writeValue(out: Sink, physical: Physical, name: string, value: unknown): void {
  const expected = physical === BYTE_ARRAY ? 'string' : physical === BOOLEAN ? 'boolean' : 'number'
  if (typeof value !== expected || (expected === 'number' && !Number.isSafeInteger(value))) {
    throw new TypeError(`a checkpoint's ${name} must be ${expected === 'number' ? 'an integer' : `a ${expected}`}`)
  }
  if (physical === BYTE_ARRAY) {
    writeByteArray(out, value as string, name)
  } else if (physical === INT64) {
    out.reserve(8)
    setInt64(out.view, out.length, value as number)
    out.length += 8
  } else if (physical === INT32) {
    out.reserve(4)
    out.view.setInt32(out.length, value as number, true)
    out.length += 4
  } else {
    // PLAIN booleans are bit-packed: one byte per value here, packed when the page is written.
    out.byte(value ? 1 : 0)
  }
}

function bitWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max)
}

/** Writes `page`, whose entries start at `from` and whose values' PLAIN bytes are `plain`. */
function writePage(file: Sink, levels: Sink, leaf: Leaf, from: number, page: Page, plain: Uint8Array, chunk: ChunkMeta): void {
  const to = from + page.entries
  levels.length = 0
  if (leaf.maxRep > 0) writeHybrid(levels, Int32Array.from(leaf.reps.subarray(from, to)), bitWidth(leaf.maxRep))
  const repBytes = levels.length
  writeHybrid(levels, Int32Array.from(leaf.defs.subarray(from, to)), bitWidth(leaf.maxDef))
  const defBytes = levels.length - repBytes
  const raw = leaf.physical === BOOLEAN ? packBooleans(plain) : plain
  const body = snappyCompress(raw)
  const start = file.length
  const t = new Thrift(file)
  t.body(() => {
    t.int(1, DATA_PAGE_V2)
    t.int(2, levels.length + raw.length)
    t.int(3, levels.length + body.length)
    t.struct(8, () => {
      t.int(1, page.entries)
      t.int(2, page.entries - page.defined)
      t.int(3, page.rows)
      t.int(4, PLAIN)
      t.int(5, defBytes)
      t.int(6, repBytes)
    })
  })
  const header = file.length - start
  file.append(levels.bytes.subarray(0, levels.length))
  file.append(body)
  chunk.uncompressed += header + levels.length + raw.length
  chunk.compressed += file.length - start
}

function packBooleans(bytes: Uint8Array): Uint8Array {
  const packed = new Uint8Array(Math.ceil(bytes.length / 8))
  for (let i = 0; i < bytes.length; i++) packed[i >> 3]! |= bytes[i]! << (i & 7)
  return packed
}

function writeFooter(file: Sink, chunks: readonly ChunkMeta[], rows: number, createdBy: string): void {
  const elements: SchemaNode[] = []
  const walk = (node: SchemaNode) => {
    elements.push(node)
    for (const child of node.children ?? []) walk(child)
  }
  for (const column of COLUMNS) walk(column)
  const t = new Thrift(file)
  t.body(() => {
    t.int(1, 1)
    t.structs(2, [undefined, ...elements], (node) => {
      if (node === undefined) {
        t.binary(4, 'root')
        t.int(5, COLUMNS.length)
        return
      }
      t.int(1, node.physical)
      t.int(3, node.repetition)
      t.binary(4, node.name)
      t.int(5, node.children?.length)
      t.int(6, node.converted)
    })
    t.long(3, rows)
    t.structs(4, [chunks], (group) => {
      t.structs(1, group, (chunk) => {
        t.long(2, chunk.offset)
        t.struct(3, () => {
          t.int(1, chunk.leaf.physical)
          t.ints(2, [PLAIN, RLE])
          t.binaries(3, chunk.leaf.path)
          t.int(4, CODECS.SNAPPY)
          t.long(5, chunk.entries)
          t.long(6, chunk.uncompressed)
          t.long(7, chunk.compressed)
          t.long(9, chunk.offset)
        })
      })
      t.long(2, group.reduce((sum, c) => sum + c.uncompressed, 0))
      t.long(3, rows)
    })
    t.binary(6, createdBy)
  })
}
