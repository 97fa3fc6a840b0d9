export { createStorage, envFlag, requireEnv, s3OptionsFromEnv } from './s3-config.js'
export { codeOf, toStorageError } from './s3-errors.js'
export { createS3Client, type S3Credentials, S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js'
export { S3Storage, type S3StorageOptions } from './s3-storage.js'
