import type { DataReader } from 'hyparquet'
import type { parquetHeader, readPage } from 'hyparquet/src/column.js'
import type { convertWithDictionary } from 'hyparquet/src/convert.js'
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js'
import { getMaxRepetitionLevel } from 'hyparquet/src/schema.js'

type ColumnDecoder = Parameters<typeof readPage>[2]
type PageHeader = ReturnType<typeof parquetHeader>

/** A data page's levels and encoded values, and the encoding they are in. */
export type DataPage = ReturnType<typeof readDataPage> & { encoding: Parameters<typeof convertWithDictionary>[2] }

/**
 * The page whose `header` was just read at `reader`, if it is a data page (V1 or V2):
 * decompressed and split into its levels and values. The reader moves past the page either way.
 */
export function readDataPageAt(reader: DataReader, header: PageHeader, decoder: ColumnDecoder): DataPage | undefined {
  const bytes = new Uint8Array(reader.view.buffer, reader.view.byteOffset + reader.offset, header.compressed_page_size)
  reader.offset += header.compressed_page_size
  if (header.type === 'DATA_PAGE_V2') return { ...readDataPageV2At(bytes, header, decoder), encoding: header.data_page_header_v2!.encoding }
  if (header.type !== 'DATA_PAGE') return undefined
  const daph = header.data_page_header!
  const decompressed = decompressPage(bytes, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors)
  return { ...readDataPage(decompressed, daph, decoder), encoding: daph.encoding }
}

/**
 * A V2 page's levels and values. A page of a column that does not repeat and that says it has no
 * nulls has every definition level at its maximum, so its levels are not decoded (they come back
 * undefined, as for a required column): an array of levels per page was a seventh of a scan's
 * allocation. hyparquet already takes the value count from `num_nulls`, so this trusts no more.
 */
function readDataPageV2At(bytes: Uint8Array, header: PageHeader, decoder: ColumnDecoder): ReturnType<typeof readDataPageV2> {
  const v2 = header.data_page_header_v2!
  if (v2.num_nulls !== 0 || getMaxRepetitionLevel(decoder.schemaPath) !== 0) return readDataPageV2(bytes, header, decoder)
  const levels = v2.definition_levels_byte_length + v2.repetition_levels_byte_length
  const values: PageHeader = {
    ...header,
    uncompressed_page_size: header.uncompressed_page_size - levels,
    data_page_header_v2: { ...v2, definition_levels_byte_length: 0, repetition_levels_byte_length: 0 },
  }
  // An empty schema path has no levels to read.
  return readDataPageV2(bytes.subarray(levels), values, { ...decoder, schemaPath: [] })
}
