/**
 * Row objects made from decoded columns. A loop compiled for one list of column names makes each
 * row with an object literal: the row is born with all its properties and its final hidden class,
 * where assigning the columns one by one moves every row through a class per column. Names a
 * literal cannot hold as own properties (`__proto__`), or a Node that refuses code generation,
 * take the general loop.
 */
import { Compiled } from './compiled.js'
import { setOwn } from './own-property.js'

type Row = Record<string, unknown>

/** One column's values for a slice: `values[from]` is the slice's first row. */
export interface ColumnPart {
  values: ArrayLike<unknown>
  from: number
}

/** Makes `count` rows from the columns' slices, the properties in the order of `names`. */
export type RowBuilder = (columns: readonly ColumnPart[], count: number) => Row[]

/** Properties every row gets after its columns, one value for all rows (a file's partition values). */
export interface ConstantFields {
  names: readonly string[]
  values: readonly unknown[]
}

const NO_CONSTANTS: ConstantFields = { names: [], values: [] }

type CompiledBuilder = (columns: readonly ColumnPart[], count: number, constants: readonly unknown[]) => Row[]

/** Wider rows are made the general way: a literal this long would take longer to compile than to save. */
const MAX_COMPILED_COLUMNS = 200
const builders = new Compiled<CompiledBuilder>(64)

/** The builder of rows of `names` and then `constants` (born with both, in that order). */
export function rowBuilder(names: readonly string[], constants: ConstantFields = NO_CONSTANTS): RowBuilder {
  const made = compiled(names, constants.names)
  if (made) return (columns, count) => made(columns, count, constants.values)
  return generalBuilder(names, constants)
}

function compiled(names: readonly string[], constantNames: readonly string[]): CompiledBuilder | undefined {
  const all = [...names, ...constantNames]
  if (all.length === 0 || all.length > MAX_COMPILED_COLUMNS || all.includes('__proto__')) return undefined
  return builders.get(
    JSON.stringify([names, constantNames]),
    () => new Function('columns', 'count', 'constants', builderSource(names, constantNames)) as CompiledBuilder,
  )
}

function builderSource(names: readonly string[], constantNames: readonly string[]): string {
  const lines = ['const rows = new Array(count)']
  names.forEach((_, i) => {
    lines.push(`const v${i} = columns[${i}].values, f${i} = columns[${i}].from`)
  })
  constantNames.forEach((_, i) => {
    lines.push(`const k${i} = constants[${i}]`)
  })
  // Names go in as JSON string literals: whatever a column is called, it is data, not code.
  const fields = [
    ...names.map((name, i) => `${JSON.stringify(name)}: v${i}[f${i} + i]`),
    ...constantNames.map((name, i) => `${JSON.stringify(name)}: k${i}`),
  ].join(', ')
  lines.push(`for (let i = 0; i < count; i++) rows[i] = { ${fields} }`)
  lines.push('return rows')
  return lines.join('\n')
}

function generalBuilder(names: readonly string[], constants: ConstantFields): RowBuilder {
  return (columns, count) => {
    const rows: Row[] = new Array(count)
    for (let i = 0; i < count; i++) rows[i] = {}
    names.forEach((name, c) => {
      const { values, from } = columns[c]!
      for (let i = 0; i < count; i++) setOwn(rows[i]!, name, values[from + i])
    })
    constants.names.forEach((name, c) => {
      for (let i = 0; i < count; i++) setOwn(rows[i]!, name, constants.values[c])
    })
    return rows
  }
}
