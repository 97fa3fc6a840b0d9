import { S3Storage } from '@cfb/storage-s3'
import { type R2StorageOptions, r2Profile, useContentMd5ForDeletes } from './r2-profile.js'

/** A `StorageBackend` over a Cloudflare R2 bucket: `S3Storage` with R2's profile. */
export class R2Storage extends S3Storage {
  constructor(options: R2StorageOptions) {
    super(r2Profile(options))
    if (!options.client) useContentMd5ForDeletes(this.store.client)
  }
}
