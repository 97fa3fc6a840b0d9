export type {
  ByteReadOptions,
  DataFiles,
  FileFormat,
  ReadOptions,
  Records,
  Row,
  ScanOptions,
  StorageBackend,
  TableInfo,
  TableOptions,
  TableVersion,
  VacuumOptions,
  VacuumResult,
  WriteOptions,
  WritePartitionedOptions,
} from './facade/storage-backend.js'
export { decodeCsv, encodeCsv } from './codecs/csv.js'
export { CsvColumnsEncoder } from './codecs/csv-columns.js'
export { CSV_COLUMN_TYPES, type CsvColumnType, type CsvReadOptions, CsvRecordReader } from './codecs/csv-reader.js'
export { decodeParquet, encodeParquet, SCHEMA_METADATA_KEY } from './codecs/parquet.js'
export type { ColumnSlice } from './codecs/parquet-pages.js'
export { ParquetStreamEncoder, type ParquetStreamOptions } from './codecs/parquet-stream.js'
export type { ColumnSchema, ColumnType, TableSchema } from './codecs/schema.js'
export { inferSchema } from './codecs/schema.js'
// For adapter authors: bounded concurrency over requests, and listings read ahead.
export { concatAhead, mapConcurrent } from './store/concurrency.js'
export type { StorageErrorCode, StorageErrorOptions } from './errors.js'
export { isStorageError, StorageError } from './errors.js'
export type { FilterCondition, FilterRange, Filters, FilterScalar } from './filters/filters.js'
export type { AdapterModule, BackendName, Env } from './get-storage.js'
export { ADAPTER_PACKAGES, getStorage, loadAdapter } from './get-storage.js'
export { isHiddenName, MAX_KEY_BYTES, normalizeKey, normalizePrefix, validateEntity, validatePartitionKey } from './keys/keys.js'
export { MemoryStorage } from './facade/memory-storage.js'
export { MemoryObjectStore } from './store/memory-object-store.js'
export type {
  ByteRange,
  ListEntry,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  StoreCapabilities,
} from './store/object-store.js'
export type { PartitionInput, PartitionValue, PartitionValueType } from './partition/partition.js'
export { decodeSegment, encodeSegment, NULL_MARKER, Partition } from './partition/partition.js'
export { ObjectStorage, type ObjectStorageOptions } from './facade/object-storage.js'
export type { ChecksumMode } from './transfer/digest.js'
export { listObjects } from './transfer/listing.js'
export { type MigrateOptions, type MigrateResult, migrate, type TransferProgress } from './transfer/migrate.js'
export {
  formatGroup,
  type VerifyDifference,
  type VerifyGroup,
  type VerifyOptions,
  type VerifyResult,
  verify,
} from './transfer/verify.js'
export { type DeleteBatchesOptions, deleteInBatches, type KeyFailure } from './store/delete-batches.js'
export { cutToRange, type HttpRange, httpRange, isEmptyRangeAnswer } from './store/http-range.js'
export { codeForHttpStatus } from './store/http-status.js'
export { type RetryClassifier, type RetryOptions, withRetry } from './store/retry.js'
