export { createStorage, r2OptionsFromEnv } from './r2-config.js'
export {
  checkR2Key,
  R2_DELETE_BATCH,
  type R2Jurisdiction,
  type R2StorageOptions,
  r2Endpoint,
  r2Profile,
  useContentMd5ForDeletes,
} from './r2-profile.js'
export { R2Storage } from './r2-storage.js'
