export type {
  ByteReadOptions,
  FileFormat,
  ReadOptions,
  Row,
  ScanOptions,
  StorageBackend,
  VacuumOptions,
  VacuumResult,
  WriteOptions,
  WritePartitionedOptions,
} from './backend.js'
export { decodeCsv, encodeCsv } from './codecs/csv.js'
export { decodeParquet, encodeParquet, SCHEMA_METADATA_KEY } from './codecs/parquet.js'
export type { ColumnSchema, ColumnType, TableSchema } from './codecs/schema.js'
export { inferSchema } from './codecs/schema.js'
export type { Commit, CommitFileEntry } from './commit.js'
export { COMMITS_DIR } from './commit.js'
export { concatAhead, mapConcurrent } from './concurrency.js'
export type { StorageErrorCode, StorageErrorOptions } from './errors.js'
export { isStorageError, StorageError, withContext } from './errors.js'
export type { FilterCondition, FilterRange, Filters, FilterScalar } from './filters.js'
export type { AdapterModule, BackendName, Env } from './get-storage.js'
export { ADAPTER_PACKAGES, getStorage, loadAdapter } from './get-storage.js'
export { isHiddenName, MAX_KEY_BYTES, normalizeKey, normalizePrefix, validateEntity, validatePartitionKey } from './keys.js'
export { MemoryStorage } from './memory-storage.js'
export { compareKeys, MemoryObjectStore } from './memory-store.js'
export type {
  ByteRange,
  ListEntry,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  StoreCapabilities,
} from './object-store.js'
export type { PartitionInput, PartitionValue, PartitionValueType } from './partition.js'
export { decodeSegment, encodeSegment, NULL_MARKER, Partition } from './partition.js'
export { ObjectStorage } from './storage.js'
export { type ChecksumMode, objectSha256, SHA256_METADATA, sha256Hex } from './transfer/digest.js'
export { listObjects, topLevel } from './transfer/listing.js'
export { type MigrateOptions, type MigrateResult, migrate, type TransferProgress } from './transfer/migrate.js'
export {
  formatGroup,
  type VerifyDifference,
  type VerifyGroup,
  type VerifyOptions,
  type VerifyResult,
  verify,
} from './transfer/verify.js'
export { newWriteId, writeIdTime } from './write-id.js'
export { type DeleteBatchesOptions, deleteInBatches, type KeyFailure } from './store/delete-batches.js'
export { cutToRange, type HttpRange, httpRange, isEmptyRangeAnswer } from './store/http-range.js'
export { codeForHttpStatus } from './store/http-status.js'
