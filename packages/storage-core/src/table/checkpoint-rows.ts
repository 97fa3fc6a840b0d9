/**
 * A checkpoint's rows, assembled from each leaf column's levels. A checkpoint is nested (each action
 * a struct, partition values a map), and hyparquet's general assembly builds nested arrays for every
 * leaf before the rows: for a checkpoint of many files that garbage is most of a snapshot's load.
 * Checkpoint shapes are few (structs of values, maps and lists of values, at most one repeated
 * level), so rows are built here straight from the levels; any other shape is left to hyparquet.
 */
import type { DecodedArray, FileMetaData, SchemaTree } from 'hyparquet'
import { parquetSchema } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { isAscii } from 'node:buffer'
import { parquetHeader, readPage } from 'hyparquet/src/column.js'
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js'
import { decompressPage } from 'hyparquet/src/datapage.js'
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js'
import { Compiled } from '../codecs/compiled.js'
import { bigintNumber, int64Numbers } from '../codecs/int64-numbers.js'
import { setOwn } from '../codecs/own-property.js'
import { readDataPageAt } from '../codecs/parquet-data-page.js'

type Row = Record<string, unknown>
type ColumnDecoder = Parameters<typeof readPage>[2]

/** One leaf column of a row group: its levels and values, and where assembly has got to. */
interface Leaf {
  def: ArrayLike<number>
  rep: ArrayLike<number>
  values: ArrayLike<unknown>
  maxDef: number
  /** The next level entry, and the next value. */
  at: number
  next: number
}

type Kind = 'value' | 'struct' | 'map' | 'list'

/**
 * One node of the assembly plan. Every kind has every field (unused ones empty), so the
 * assembly loop reads nodes of one hidden class: it runs once per action column per row.
 */
class Node {
  constructor(
    readonly kind: Kind,
    /** The definition level at which this node is present. */
    readonly level: number,
    /** A value's leaf; a map's key; a list's element; a struct's first leaf. */
    readonly leaf: Leaf,
    /** A map's value leaf. */
    readonly value: Leaf,
    readonly fields: readonly Node[] = [],
    readonly build: Builder = noBuild,
    /** Every leaf under a struct. */
    readonly leaves: readonly Leaf[] = [],
  ) {
    this.values = new Array(fields.length)
  }
  /** A struct's field values for the row being built. */
  readonly values: unknown[]
}

const noBuild: Builder = () => ({})

/** The shape is not one this assembler builds: hyparquet reads the file instead. */
export class UnsupportedShape extends Error {}

/**
 * Visits each row's non-null value of each of `columns` (top-level names) in a checkpoint file,
 * in row order (rows numbered from 0 across row groups), as hyparquet would assemble it except
 * that INT64 values are numbers, as a commit file's JSON holds them. No row objects are made: a
 * checkpoint row holds one action.
 */
export function checkpointValues(
  buffer: ArrayBuffer,
  metadata: FileMetaData,
  columns: readonly string[],
  visit: (column: number, value: unknown, row: number) => void,
): void {
  const tree = parquetSchema(metadata)
  const tops = columns.map((name) => {
    const node = tree.children.find((c) => c.element.name === name)
    if (!node) throw new UnsupportedShape(`no column ${name}`)
    return node
  })
  let leafIndex = 0
  const leafOrder = new Map<SchemaTree, number>()
  const number = (node: SchemaTree) => {
    if (node.children.length === 0) leafOrder.set(node, leafIndex++)
    else for (const child of node.children) number(child)
  }
  for (const child of tree.children) number(child)

  let row = 0
  for (const group of metadata.row_groups) {
    const leaves = new Map<SchemaTree, Leaf>()
    const leafOf = (node: SchemaTree, path: SchemaTree[]): Leaf => {
      let leaf = leaves.get(node)
      if (!leaf) {
        leaf = readLeaf(buffer, group.columns[leafOrder.get(node)!]!.meta_data!, [tree, ...path])
        leaves.set(node, leaf)
      }
      return leaf
    }
    const built = tops.map((top) => shape(top, 0, 0, [top], leafOf))
    const end = row + Number(group.num_rows)
    for (; row < end; row++) {
      for (let c = 0; c < built.length; c++) {
        const value = assemble(built[c]!)
        if (value !== null) visit(c, value, row)
      }
    }
  }
}

/** The assembly plan of `node`, given the definition and repetition levels of its parent. */
function shape(node: SchemaTree, parentDef: number, parentRep: number, path: SchemaTree[], leafOf: (n: SchemaTree, p: SchemaTree[]) => Leaf): Node {
  const { element } = node
  const repeated = element.repetition_type === 'REPEATED'
  const level = parentDef + (element.repetition_type === 'REQUIRED' ? 0 : 1)
  if (repeated || parentRep > 0) throw new UnsupportedShape(`${element.name} repeats outside a map or list`)
  if (node.children.length === 0) {
    const leaf = leafOf(node, path)
    return new Node('value', level, leaf, leaf)
  }
  const converted = element.converted_type ?? element.logical_type?.type
  if (converted === 'MAP' || converted === 'MAP_KEY_VALUE') {
    const entry = node.children[0]
    const [key, value] = entry?.children ?? []
    if (node.children.length !== 1 || entry?.element.repetition_type !== 'REPEATED' || !key || !value || entry.children.length !== 2) {
      throw new UnsupportedShape(`map ${element.name}`)
    }
    if (key.children.length > 0 || value.children.length > 0) throw new UnsupportedShape(`map ${element.name} of groups`)
    return new Node('map', level, leafOf(key, [...path, entry, key]), leafOf(value, [...path, entry, value]))
  }
  if (converted === 'LIST') {
    const entry = node.children[0]
    const item = entry?.children[0]
    if (node.children.length !== 1 || entry?.element.repetition_type !== 'REPEATED' || entry.children.length !== 1 || !item || item.children.length > 0) {
      throw new UnsupportedShape(`list ${element.name}`)
    }
    const items = leafOf(item, [...path, entry, item])
    return new Node('list', level, items, items)
  }
  const fields = node.children.map((child) => shape(child, level, parentRep, [...path, child], leafOf))
  const build = builder(node.children.map((child) => child.element.name))
  const first = fields[0]!.leaf
  return new Node('struct', level, first, first, fields, build, fields.flatMap(leavesOf))
}

function leavesOf(node: Node): readonly Leaf[] {
  if (node.kind === 'struct') return node.leaves
  return node.kind === 'map' ? [node.leaf, node.value] : [node.leaf]
}

/** Consumes one row's entries of `leaf`: its first, and every one that repeats within the row. */
function skipRow(leaf: Leaf): void {
  do {
    if (leaf.def[leaf.at] === leaf.maxDef) leaf.next++
    leaf.at++
  } while (leaf.at < leaf.def.length && leaf.rep[leaf.at] === 1)
}

/** Consumes the row's entries of a null or empty map or list. */
function skipEntries(node: Node): void {
  skipRow(node.leaf)
  if (node.kind === 'map') skipRow(node.value)
}

/** The value of `node` for the current row, consuming that row's entries of every leaf under it. */
function assemble(node: Node): unknown {
  const kind = node.kind
  if (kind === 'value') {
    const leaf = node.leaf
    const value = leaf.def[leaf.at] === leaf.maxDef ? leaf.values[leaf.next++] : null
    leaf.at++
    return value
  }
  const lead = node.leaf
  const present = lead.def[lead.at]!
  if (kind === 'struct') {
    if (present < node.level) {
      // Under a null struct every leaf has exactly one entry for the row, and no value: most rows
      // of a checkpoint are null in all but one action column, so this is the common case.
      const { leaves } = node
      for (let i = 0; i < leaves.length; i++) leaves[i]!.at++
      return null
    }
    const { fields, values } = node
    for (let i = 0; i < fields.length; i++) values[i] = assemble(fields[i]!)
    return node.build(values)
  }
  if (present < node.level) {
    skipEntries(node)
    return null
  }
  if (present === node.level) {
    // Present and empty: one entry, no element.
    skipEntries(node)
    return kind === 'map' ? {} : []
  }
  if (kind === 'list') {
    const items: unknown[] = []
    const leaf = node.leaf
    do {
      items.push(leaf.def[leaf.at] === leaf.maxDef ? leaf.values[leaf.next++] : null)
      leaf.at++
    } while (leaf.at < leaf.def.length && leaf.rep[leaf.at] === 1)
    return items
  }
  const map: Row = {}
  const key = node.leaf
  const { value } = node
  do {
    const k = key.values[key.next++] as string
    map[k] = value.def[value.at] === value.maxDef ? value.values[value.next++] : null
    key.at++
    value.at++
  } while (key.at < key.def.length && key.rep[key.at] === 1)
  return map
}

/** Makes an object of `values` under the names it was made for. */
type Builder = (values: readonly unknown[]) => Row

/**
 * The builder for objects of `names`, leaving out null values as a commit file's JSON (and
 * hyparquet's rows) do. Generated code stores each field by a constant name (a JSON string
 * literal), so objects of one shape share their hidden classes; where code cannot be made, a
 * loop stores them by computed key.
 */
function builder(names: readonly string[]): Builder {
  const made = names.includes('__proto__')
    ? undefined
    : builders.get(JSON.stringify(names), () => {
        const store = (name: string, i: number) => `if (v[${i}] !== null) o[${JSON.stringify(name)}] = v[${i}]`
        return new Function('v', `const o = {}\n${names.map(store).join('\n')}\nreturn o`) as Builder
      })
  return (
    made ??
    ((values) => {
      const out: Row = {}
      for (let i = 0; i < names.length; i++) if (values[i] !== null) setOwn(out, names[i]!, values[i])
      return out
    })
  )
}

const builders = new Compiled<Builder>(64)

/** Every page of one column chunk, decoded to levels and values. */
function readLeaf(buffer: ArrayBuffer, meta: NonNullable<FileMetaData['row_groups'][number]['columns'][number]['meta_data']>, path: SchemaTree[]): Leaf {
  const element = path[path.length - 1]!.element
  const maxDef = path.slice(1).filter((n) => n.element.repetition_type !== 'REQUIRED').length
  const maxRep = path.slice(1).filter((n) => n.element.repetition_type === 'REPEATED').length
  const strings = meta.type === 'BYTE_ARRAY' && isPlainText(element)
  const decoder: ColumnDecoder = {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    element,
    schemaPath: path,
    codec: meta.codec,
    parsers: DEFAULT_PARSERS,
    compressors,
    utf8: true,
  }
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset)
  const view = new DataView(buffer, start, Number(meta.total_compressed_size))
  const reader = { view, offset: 0 }
  const pages: { def: ArrayLike<number>; rep: ArrayLike<number>; values: ArrayLike<unknown> }[] = []
  let dictionary: DecodedArray | undefined
  while (reader.offset < view.byteLength - 1) {
    const header = parquetHeader(reader)
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = readPage(reader, header, decoder, undefined, undefined, 0)
      if (data) dictionary = convert(data, decoder)
      continue
    }
    if (strings && header.type === 'DATA_PAGE_V2' && header.data_page_header_v2!.encoding === 'PLAIN') {
      const bytes = new Uint8Array(view.buffer, view.byteOffset + reader.offset, header.compressed_page_size)
      reader.offset += header.compressed_page_size
      pages.push(readStringPageV2(bytes, header, decoder, maxDef, maxRep))
      continue
    }
    const page = readDataPageAt(reader, header, decoder)
    if (!page) continue
    const { encoding } = page
    const count = header.data_page_header_v2?.num_values ?? header.data_page_header!.num_values
    const def = page.definitionLevels && page.definitionLevels.length > 0 ? page.definitionLevels : new Uint8Array(count).fill(maxDef)
    const rep = page.repetitionLevels.length > 0 ? page.repetitionLevels : new Uint8Array(count)
    const values = convertWithDictionary(page.dataPage, dictionary, encoding, decoder)
    pages.push({ def, rep, values: meta.type === 'INT64' ? numbers(values) : values })
  }
  if (pages.length === 1) {
    const { def, rep, values } = pages[0]!
    return { def, rep, values, maxDef, at: 0, next: 0 }
  }
  const levels = (part: (p: (typeof pages)[number]) => ArrayLike<number>) => {
    const out = new Uint8Array(pages.reduce((n, p) => n + p.def.length, 0))
    let at = 0
    for (const p of pages) {
      out.set(part(p), at)
      at += p.def.length
    }
    return out
  }
  const values: unknown[] = []
  for (const p of pages) for (let i = 0; i < p.values.length; i++) values.push(p.values[i])
  return { def: levels((p) => p.def), rep: levels((p) => p.rep), values, maxDef, at: 0, next: 0 }
}

/** Checkpoints hold INT64 where commit files hold numbers: as numbers here, with no BigInt made per value where it can. */
function numbers(values: DecodedArray): ArrayLike<unknown> {
  if (values instanceof BigInt64Array) return int64Numbers(values)
  if (values instanceof BigUint64Array) return Array.from(values, Number)
  if (!Array.isArray(values) || !values.some((v) => typeof v === 'bigint')) return values
  return values.map((v) => (typeof v === 'bigint' ? bigintNumber(v) : v))
}

/** A BYTE_ARRAY column that hyparquet would decode to strings, with no conversion of its own (JSON, UUID, ...). */
function isPlainText(element: SchemaTree['element']): boolean {
  const converted = element.converted_type
  const logical = element.logical_type?.type
  return (converted === undefined || converted === 'UTF8') && (logical === undefined || logical === 'STRING')
}

/**
 * A V2 data page of PLAIN strings (how checkpoints hold paths, partition values and stats), its
 * values decoded straight from the page. hyparquet makes a byte view and then a string per
 * value, each through a TextDecoder call: 40,000 such strings were a fifth of a 10,000-file
 * checkpoint's load. An all-ASCII page is decoded once and its values are slices of that string.
 */
function readStringPageV2(bytes: Uint8Array, header: ReturnType<typeof parquetHeader>, decoder: ColumnDecoder, maxDef: number, maxRep: number) {
  const v2 = header.data_page_header_v2!
  const count = v2.num_values
  const levels = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }
  const rep = new Uint8Array(count)
  if (maxRep > 0) readRleBitPackedHybrid(levels, 32 - Math.clz32(maxRep), rep as unknown as number[], v2.repetition_levels_byte_length)
  levels.offset = v2.repetition_levels_byte_length
  const def = new Uint8Array(count).fill(maxDef)
  if (maxDef > 0) readRleBitPackedHybrid(levels, 32 - Math.clz32(maxDef), def as unknown as number[], v2.definition_levels_byte_length)
  const start = v2.repetition_levels_byte_length + v2.definition_levels_byte_length
  const size = header.uncompressed_page_size - start
  const page = v2.is_compressed === false ? bytes.subarray(start) : decompressPage(bytes.subarray(start), size, decoder.codec, decoder.compressors)
  const buffer = Buffer.from(page.buffer, page.byteOffset, page.byteLength)
  const ascii = isAscii(buffer)
  const text = ascii ? buffer.toString('latin1') : ''
  const values = new Array<string>(count - v2.num_nulls)
  let at = 0
  for (let i = 0; i < values.length; i++) {
    if (at + 4 > buffer.length) throw new Error('a string page ends inside its values')
    const length = buffer.readUInt32LE(at)
    const end = at + 4 + length
    if (end > buffer.length) throw new Error('a string page ends inside its values')
    values[i] = ascii ? text.slice(at + 4, end) : buffer.toString('utf8', at + 4, end)
    at = end
  }
  return { def, rep, values }
}
