import { ObjectStorage, type ObjectStorageOptions } from '@cfb/storage-core'
import type { S3ObjectStoreOptions } from './s3-client.js'
import { S3ObjectStore } from './s3-object-store.js'

export type S3StorageOptions = S3ObjectStoreOptions & ObjectStorageOptions

/** A `StorageBackend` over an S3 bucket (or any S3-compatible server). */
export class S3Storage extends ObjectStorage {
  declare readonly store: S3ObjectStore

  constructor(options: S3StorageOptions) {
    super(new S3ObjectStore(options), { singleWriter: options.singleWriter })
  }

  /** Closes the sockets of the client it made (not of a client passed in); unusable afterwards. */
  close(): void {
    this.store.close()
  }
}
