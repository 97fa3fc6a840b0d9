import type { Env } from '@cfb/storage-core'
import { requireEnv } from '@cfb/storage-s3'
import type { R2Jurisdiction, R2StorageOptions } from './r2-profile.js'
import { R2Storage } from './r2-storage.js'

/**
 * Options from `CFB_R2_BUCKET`, `CFB_R2_ACCOUNT_ID` (unless `CFB_R2_ENDPOINT` is set),
 * `CFB_R2_ACCESS_KEY`, `CFB_R2_SECRET_KEY`, and optional `CFB_R2_JURISDICTION`, `CFB_R2_PREFIX`.
 */
export function r2OptionsFromEnv(env: Env): R2StorageOptions {
  const endpoint = env.CFB_R2_ENDPOINT?.trim() || undefined
  requireEnv(
    env,
    ['CFB_R2_BUCKET', ...(endpoint ? [] : ['CFB_R2_ACCOUNT_ID']), 'CFB_R2_ACCESS_KEY', 'CFB_R2_SECRET_KEY'],
    'r2',
  )
  return {
    bucket: env.CFB_R2_BUCKET!.trim(),
    accountId: env.CFB_R2_ACCOUNT_ID?.trim() || undefined,
    accessKeyId: env.CFB_R2_ACCESS_KEY!.trim(),
    secretAccessKey: env.CFB_R2_SECRET_KEY!.trim(),
    endpoint,
    jurisdiction: (env.CFB_R2_JURISDICTION?.trim() || undefined) as R2Jurisdiction | undefined,
    prefix: env.CFB_R2_PREFIX?.trim() || undefined,
  }
}

/** What `getStorage()` calls for `CFB_STORAGE_BACKEND=r2`. */
export function createStorage(env: Env): R2Storage {
  return new R2Storage(r2OptionsFromEnv(env))
}
