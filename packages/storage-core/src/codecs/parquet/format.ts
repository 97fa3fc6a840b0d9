/** Numbers from parquet.thrift, the Parquet format's definition. */

// Physical types
export const BOOLEAN = 0
export const INT32 = 1
export const INT64 = 2
export const DOUBLE = 5
export const BYTE_ARRAY = 6

// Converted types (the older annotations, written beside the logical types for older readers)
export const UTF8 = 0
export const TIMESTAMP_MILLIS = 9
export const INT_32 = 17
export const INT_64 = 18
export const JSON_TEXT = 19

export const OPTIONAL = 1

// Encodings
export const PLAIN = 0
export const RLE = 3
export const RLE_DICTIONARY = 8

// Page types
export const DICTIONARY_PAGE = 2
export const DATA_PAGE_V2 = 3

// ColumnIndex boundary orders
export const UNORDERED = 0
export const ASCENDING = 1
export const DESCENDING = 2

export const CODECS = { UNCOMPRESSED: 0, SNAPPY: 1 } as const

export const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31])
