import type { DataReader } from 'hyparquet'
import type { parquetHeader, readPage } from 'hyparquet/src/column.js'
import type { convertWithDictionary } from 'hyparquet/src/convert.js'
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js'

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
  if (header.type === 'DATA_PAGE_V2') return { ...readDataPageV2(bytes, header, decoder), encoding: header.data_page_header_v2!.encoding }
  if (header.type !== 'DATA_PAGE') return undefined
  const daph = header.data_page_header!
  const decompressed = decompressPage(bytes, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors)
  return { ...readDataPage(decompressed, daph, decoder), encoding: daph.encoding }
}
