import { StorageError } from '../errors.js'

/** One CSV record: its fields, and which of them were quoted (`""` is an empty string, `` null). */
export interface CsvRecord {
  fields: string[]
  quoted: boolean[]
}

/**
 * RFC 4180 fields with their quoting kept, which papaparse's parser drops: DuckDB reads an
 * unquoted empty field as NULL and a quoted one as the empty string, and so do we.
 */
export function tokenizeCsv(text: string, key?: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let fields: string[] = []
  let quoted: boolean[] = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = text.length
  const endRecord = () => {
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '' && !quoted[0])) records.push({ fields, quoted })
    fields = []
    quoted = []
  }
  while (i <= n) {
    if (i === n) {
      if (fields.length > 0) endRecord()
      break
    }
    let value = ''
    let wasQuoted = false
    if (text[i] === '"') {
      wasQuoted = true
      i++
      for (;;) {
        const close = text.indexOf('"', i)
        if (close < 0) throw new StorageError('CORRUPT_DATA', 'CSV has an unterminated quoted field', { key })
        value += text.slice(i, close)
        i = close + 1
        if (text[i] === '"') {
          value += '"'
          i++
        } else break
      }
    } else {
      let end = i
      while (end < n && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++
      value = text.slice(i, end)
      i = end
    }
    fields.push(value)
    quoted.push(wasQuoted)
    if (i >= n) {
      endRecord()
      break
    }
    const c = text[i]
    if (c === ',') {
      i++
      if (i === n) {
        // A trailing comma ends the text with one more, empty, field.
        fields.push('')
        quoted.push(false)
      }
    } else if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      endRecord()
    } else {
      throw new StorageError('CORRUPT_DATA', `CSV has text after a closing quote at offset ${i}`, { key })
    }
  }
  return records
}
