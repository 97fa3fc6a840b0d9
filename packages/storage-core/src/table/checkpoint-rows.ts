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
import { parquetHeader, readPage } from 'hyparquet/src/column.js'
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js'
import { Compiled } from '../codecs/compiled.js'
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

/** The rows of `columns` (top-level names) in a checkpoint file, as hyparquet would give them. */
export function checkpointRows(buffer: ArrayBuffer, metadata: FileMetaData, columns: readonly string[]): Row[] {
  const tree = parquetSchema(metadata)
  const tops = columns.map((name) => {
    const node = tree.children.find((c) => c.element.name === name)
    if (!node) throw new UnsupportedShape(`no column ${name}`)
    return node
  })
  const rows: Row[] = []
  let leafIndex = 0
  const leafOrder = new Map<SchemaTree, number>()
  const number = (node: SchemaTree) => {
    if (node.children.length === 0) leafOrder.set(node, leafIndex++)
    else for (const child of node.children) number(child)
  }
  for (const child of tree.children) number(child)

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
    const build = builder(columns, true)
    const values: unknown[] = new Array(built.length)
    const count = Number(group.num_rows)
    for (let r = 0; r < count; r++) {
      for (let c = 0; c < built.length; c++) values[c] = assemble(built[c]!)
      rows.push(build(values))
    }
  }
  return rows
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
  const build = builder(
    node.children.map((child) => child.element.name),
    false,
  )
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
 * The builder for objects of `names`: with `keepNull` false a null value is left out, as in a
 * commit file's JSON (and in hyparquet's rows). Generated code stores each field by a constant
 * name (a JSON string literal), so objects of one shape share their hidden classes; where code
 * cannot be made, a loop stores them by computed key.
 */
function builder(names: readonly string[], keepNull: boolean): Builder {
  const made =
    names.includes('__proto__')
      ? undefined
      : builders.get(JSON.stringify([names, keepNull]), () => {
          const store = (name: string, i: number) => `${keepNull ? '' : `if (v[${i}] !== null) `}o[${JSON.stringify(name)}] = v[${i}]`
          return new Function('v', `const o = {}\n${names.map(store).join('\n')}\nreturn o`) as Builder
        })
  return (
    made ??
    ((values) => {
      const out: Row = {}
      for (let i = 0; i < names.length; i++) if (keepNull || values[i] !== null) setOwn(out, names[i]!, values[i])
      return out
    })
  )
}

const builders = new Compiled<Builder>(64)

/** Every page of one column chunk, decoded to levels and values. */
function readLeaf(buffer: ArrayBuffer, meta: NonNullable<FileMetaData['row_groups'][number]['columns'][number]['meta_data']>, path: SchemaTree[]): Leaf {
  const element = path[path.length - 1]!.element
  const maxDef = path.slice(1).filter((n) => n.element.repetition_type !== 'REQUIRED').length
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
    const page = readDataPageAt(reader, header, decoder)
    if (!page) continue
    const { encoding } = page
    const count = header.data_page_header_v2?.num_values ?? header.data_page_header!.num_values
    const def = page.definitionLevels && page.definitionLevels.length > 0 ? page.definitionLevels : new Uint8Array(count).fill(maxDef)
    const rep = page.repetitionLevels.length > 0 ? page.repetitionLevels : new Uint8Array(count)
    pages.push({ def, rep, values: convertWithDictionary(page.dataPage, dictionary, encoding, decoder) })
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
