import { CSV_COLUMN_TYPES, type CsvColumnType, CsvRecordReader } from '@cfb/storage-core'
import { UsageError } from './usage-error.js'

/** Types `--type col=type` can force on a CSV column. */
export const CSV_TYPES = CSV_COLUMN_TYPES
export type CsvType = CsvColumnType

export interface CsvOptions {
  /** One character; default `,`. */
  delimiter?: string
  /** Columns whose type is given rather than inferred. */
  types?: ReadonlyMap<string, CsvType>
}

/**
 * Core's CSV reader with the CLI's own checks of the header, made before the core's: a file
 * whose one column looks like another delimiter's gets a hint, and `--type` must name columns
 * the file has. `file` names it in messages.
 */
export function csvReader(file: string, options: CsvOptions = {}): CsvRecordReader {
  const delimiter = options.delimiter ?? ','
  return new CsvRecordReader({
    delimiter,
    types: options.types ? Object.fromEntries(options.types) : undefined,
    key: file,
    onHeader(names) {
      const likely = [';', '\t', '|'].find((c) => c !== delimiter && names.length === 1 && names[0]!.includes(c))
      if (options.delimiter === undefined && likely) {
        const shown = likely === '\t' ? 'tab' : likely
        throw new UsageError(`${file}: the header is one column ${JSON.stringify(names[0]!.slice(0, 60))}; if its fields are separated by ${shown}, add --delimiter ${JSON.stringify(shown)}`)
      }
      for (const name of options.types?.keys() ?? []) {
        if (!names.includes(name)) throw new UsageError(`--type ${name}: the file has no column ${JSON.stringify(name)} (it has ${names.join(', ')})`)
      }
    },
  })
}

/** `--type zip=string,score=number` to a map. */
export function parseTypes(text: string | undefined): Map<string, CsvType> {
  const types = new Map<string, CsvType>()
  for (const pair of text?.split(',') ?? []) {
    const [name, type] = pair.split('=').map((s) => s.trim())
    if (!name || !CSV_TYPES.includes(type as CsvType)) {
      throw new UsageError(`bad --type ${JSON.stringify(pair)}: use column=type, the type one of ${CSV_TYPES.join(', ')}`)
    }
    types.set(name, type as CsvType)
  }
  return types
}

/** `--delimiter`: one character, or `tab`. */
export function parseDelimiter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const delimiter = text === 'tab' || text === '\\t' ? '\t' : text
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new UsageError(`bad --delimiter ${JSON.stringify(text)}: use one character such as ; or | (or tab)`)
  }
  return delimiter
}
