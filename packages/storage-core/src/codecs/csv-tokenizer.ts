import { StorageError } from '../errors.js'

/** One CSV record: its fields, and which of them were quoted (`""` is an empty string, `` null). */
export interface CsvRecord {
  fields: string[]
  quoted: boolean[]
}

/** The records of a whole CSV text, after a byte-order mark if there is one, each given to `take` as it is read. */
export function tokenizeCsv(text: string, take: (record: CsvRecord) => void, key?: string, delimiter = ','): void {
  tokenizeRecords(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, delimiter, true, take, key)
}

/**
 * RFC 4180 fields with their quoting kept, which papaparse's parser drops: DuckDB reads an
 * unquoted empty field as NULL and a quoted one as the empty string, and so do we. Records of
 * `text` from `from` on are given to `take` one by one, as each is read: a caller that makes a
 * record into its row there and then gets rows whose values were made with them, which a write
 * reads about twice as fast as rows whose strings were all made first (V8 keeps objects made
 * together close in memory). Unless `final`, text after the last line end is an unfinished
 * record, left for the next piece of the file; returns where it starts (or `text.length`).
 */
export function tokenizeRecords(text: string, from: number, delimiter: string, final: boolean, take: (record: CsvRecord) => void, key?: string): number {
  let fields: string[] = []
  let quoted: boolean[] = []
  let i = from
  let recordStart = from
  const n = text.length
  const endRecord = () => {
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '' && !quoted[0])) take({ fields, quoted })
    fields = []
    quoted = []
  }
  while (i <= n) {
    if (i === n) {
      if (!final) return recordStart
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
        if (close < 0) {
          if (!final) return recordStart
          throw new StorageError('CORRUPT_DATA', 'CSV has an unterminated quoted field', { key })
        }
        value += text.slice(i, close)
        i = close + 1
        if (text[i] === '"') {
          value += '"'
          i++
        } else break
      }
    } else {
      let end = i
      while (end < n && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++
      value = text.slice(i, end)
      i = end
    }
    fields.push(value)
    quoted.push(wasQuoted)
    if (i >= n) {
      // Unless the text is all there, a quote or more of the field may follow.
      if (!final) return recordStart
      endRecord()
      break
    }
    const c = text[i]
    if (c === delimiter) {
      i++
      if (i === n && final) {
        // A trailing delimiter ends the text with one more, empty, field.
        fields.push('')
        quoted.push(false)
      }
    } else if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      endRecord()
      recordStart = i
    } else {
      throw new StorageError('CORRUPT_DATA', `CSV has text after a closing quote: ${JSON.stringify(text.slice(i, i + 20))}`, { key })
    }
  }
  return n
}
